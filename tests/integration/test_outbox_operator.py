"""`pizza outbox`: an event left pending with nothing to relay it is listed, and sent again on request.

The stuck event is made the way it happens on AWS once a stream record has run out of retries: the
order item holds its pending ``order.placed`` event, but no stream record that passes the trigger's
filter is left to carry it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from integration_support import AwsClients, OrdersApi, collection_order, new_id, order_item_with_stuck_event

from order_service.domain.order import Order, OrderItem, OrderType, PlaceOrder
from pizza_ops.cli import main as pizza_cli
from pizza_ops.stack import EmbeddedStack


def _outbox_listing(stack: EmbeddedStack, capsys: pytest.CaptureFixture[str], *options: str) -> str:
    assert pizza_cli(["--state-dir", str(stack.config.state_dir), "outbox", *options]) == 0
    return capsys.readouterr().out


def _lines_about(listing: str, order_id: str) -> list[str]:
    return [line for line in listing.splitlines() if f"orderId={order_id}" in line]


def test_an_event_stuck_pending_is_listed_and_once_re_sent_the_order_goes_all_the_way(
    stack: EmbeddedStack, aws: AwsClients, orders_api: OrdersApi, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an order placed through the API went all the way (its events sent, so not pending)
    live_id = orders_api.place(collection_order(customer_id="customer-outbox-op")).json()["orderId"]
    orders_api.wait_for_status(live_id, "ACKNOWLEDGED")
    # And another order whose order.placed has been pending for ten minutes, with no flag to relay it
    stored_at = datetime.now(UTC) - timedelta(minutes=10)
    command = PlaceOrder("customer-outbox-op", (OrderItem("Diavola", 1),), OrderType.COLLECTION)
    order = Order.place(new_id("stuck-order"), command, stored_at)
    item = order_item_with_stuck_event(order, aws.queue_url("order-acknowledgements"), stored_at)
    aws.dynamodb.put_item(TableName=aws.table("orders"), Item=item)
    (event_id,) = item["outbox"]["M"]

    # When the operator lists the outbox
    listing = _outbox_listing(stack, capsys)

    # Then the stuck event is listed with its type, destination and age; the live order is not
    (line,) = _lines_about(listing, order.order_id)
    assert line.split()[1:4] == [event_id, "com.pizza.order.placed.v1", "kitchen"]
    assert line.split()[-1].startswith("10m")
    assert not _lines_about(listing, live_id)
    # And the kitchen has not heard of it
    assert aws.get_item("kitchen-orders", order.order_id) is None

    # When the operator re-sends the stuck events
    resent = _outbox_listing(stack, capsys, "--resend")

    # Then the order's flag was raised again
    assert f"re-sent orderId={order.order_id}: flag raised" in resent
    # And the relay sends its event: the kitchen prepares the order and the order service records the acknowledgement
    orders_api.wait_for_status(order.order_id, "ACKNOWLEDGED", timeout=60)
    assert aws.get_item("kitchen-orders", order.order_id) is not None
    # And a second listing finds nothing stuck for it
    assert not _lines_about(_outbox_listing(stack, capsys), order.order_id)
