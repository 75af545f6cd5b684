"""When the kitchen channel is down, an order is refused cleanly: 503, nothing kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from integration_support import AwsClients, OrdersApi, collection_order

from pizza_ops.cli import main as pizza_cli
from pizza_ops.stack import EmbeddedStack


@pytest.fixture
def kitchen_queue_missing(stack: EmbeddedStack, aws: AwsClients) -> Iterator[None]:
    state = ["--state-dir", str(stack.config.state_dir)]
    real_url = aws.queue_url("kitchen-orders")
    missing_url = real_url.rsplit("/", 1)[0] + "/pizza-no-such-queue"
    assert pizza_cli([*state, "set-env", "order-api", f"KITCHEN_QUEUE_URL={missing_url}"]) == 0
    yield
    assert pizza_cli([*state, "set-env", "order-api", f"KITCHEN_QUEUE_URL={real_url}"]) == 0


def test_order_is_refused_with_503_and_not_kept_when_the_kitchen_queue_is_unreachable(
    kitchen_queue_missing: None, orders_api: OrdersApi, aws: AwsClients
) -> None:
    # Given the order API can no longer reach the kitchen queue (it does not exist)
    orders_before = aws.item_count("orders")

    # When a customer places a valid order
    response = orders_api.place(collection_order())

    # Then they are told to retry later, and no order is left behind that nobody will cook
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "retry" in response.json()["message"]
    assert aws.item_count("orders") == orders_before


def test_orders_flow_again_once_the_kitchen_queue_is_back(orders_api: OrdersApi) -> None:
    # Given the kitchen queue configuration restored (the previous test's fixture put it back)
    # When an order is placed / Then it is accepted and acknowledged as usual
    response = orders_api.place(collection_order())
    assert response.status_code == 202
    orders_api.wait_for_status(response.json()["orderId"], "ACKNOWLEDGED")
