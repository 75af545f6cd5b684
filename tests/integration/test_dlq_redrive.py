"""Recovering a DLQ backlog: redrive at a chosen rate, after the fault is fixed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from integration_support import UNCOOKABLE_PIZZA, AwsClients, OrdersApi, collection_order, eventually

from pizza_ops.cli import main as pizza_cli
from pizza_ops.stack import EmbeddedStack


@pytest.fixture
def restore_kitchen_configuration(aws: AwsClients) -> Iterator[None]:
    function = aws.outputs.function_names["kitchen-processor"]
    original = aws.lambda_.get_function_configuration(FunctionName=function)["Environment"]["Variables"]
    yield
    aws.lambda_.update_function_configuration(FunctionName=function, Environment={"Variables": original})


@pytest.mark.usefixtures("restore_kitchen_configuration")
def test_fixed_fault_then_redrive_at_a_rate_moves_every_message_back_and_each_order_completes(
    orders_api: OrdersApi, aws: AwsClients, stack: EmbeddedStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given orders the kitchen kept failing on, now waiting in the kitchen DLQ
    order_ids = [orders_api.place(collection_order(pizza=UNCOOKABLE_PIZZA)).json()["orderId"] for _ in range(4)]
    eventually(lambda: aws.visible_messages("kitchen-orders-dlq") >= 4, timeout=60, what="4 messages in the DLQ")
    assert all(orders_api.status(order_id)["status"] == "ACCEPTED" for order_id in order_ids)  # type: ignore[index]
    # And the fault has since been fixed and deployed
    state = ["--state-dir", str(stack.config.state_dir)]
    assert pizza_cli([*state, "set-env", "kitchen-processor", "UNCOOKABLE_PIZZA="]) == 0

    # When the operator redrives the DLQ at 2 messages per second
    exit_code = pizza_cli([*state, "redrive", "kitchen-orders-dlq", "--rate", "2"])

    # Then every message went back (client-side: the emulator lacks StartMessageMoveTask) and the DLQ is empty
    assert exit_code == 0
    assert "moved 4 messages back to their source queue at up to 2 msg/s (client-side)" in capsys.readouterr().out
    assert aws.visible_messages("kitchen-orders-dlq") == 0
    # And each order is processed to the end
    for order_id in order_ids:
        orders_api.wait_for_status(order_id, "ACKNOWLEDGED")
