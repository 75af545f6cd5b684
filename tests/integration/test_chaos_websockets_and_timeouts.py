"""`pizza chaos` scenarios against the suite's stack, continued: clients watching their orders over
the WebSocket whose connections are killed or closed mid-flow (some connecting again), and saga
orders whose kitchen does not answer within the saga's wait. Each must end with no order lost and
no business effect twice, besides the scenario's own promises (its checks).
"""

from __future__ import annotations

from chaos_support import assert_every_promise_held, run_scenario
from integration_support import AwsClients

from pizza_ops.chaos.order_watches import FATES
from pizza_ops.stack import EmbeddedStack

ORDERS, RATE = 12, 2.0


def test_websocket_clients_dropping_mid_flow_leave_the_orders_alone_and_the_connections_table_clean(
    stack: EmbeddedStack, aws: AwsClients
) -> None:
    # Given 12 saga orders, each watched over the WebSocket by its client as soon as it is accepted
    # When in turn a client stays connected, has its TCP connection reset mid-flow (no close
    # frame), closes it properly mid-flow, or is reset and connects again
    result = run_scenario(stack, "dropped-websockets", ORDERS, RATE, "saga")

    # Then every order completed once, the connections table forgot every connection that ended,
    # and the clients still connected received every update made while they were
    assert_every_promise_held(result, ORDERS)
    assert result.load.completed == ORDERS
    leaving = sum(1 for seq in range(ORDERS) if FATES[seq % len(FATES)] != "stays")
    assert result.faults == leaving
    assert result.recovered == leaving
    # And no entry is left for the run's customers, the open connections closed at the end included
    connections = aws.dynamodb.scan(TableName=aws.table("order-update-connections"))["Items"]
    assert not [item for item in connections if item["customerId"]["S"].startswith("load-")]


def test_saga_orders_whose_kitchen_stops_answering_in_time_are_each_undone_once_and_the_late_answer_changes_nothing(
    stack: EmbeddedStack, aws: AwsClients
) -> None:
    # Given a saga that waits 10 s for the kitchen, and a kitchen that goes away once the first
    # order is confirmed (or half the orders are sent)
    saga = aws.outputs.function_names["order-saga"]
    wait_before = aws.lambda_.get_function_configuration(FunctionName=saga)["Environment"]["Variables"]

    # When 12 orders run, and the kitchen comes back once all have ended, answering the rest late
    result = run_scenario(stack, "kitchen-timeout", ORDERS, RATE, "saga")

    # Then the orders placed once the kitchen was away (half of them at least) failed saying it did
    # not answer, each refunded and released once, and the others were confirmed; the stock is
    # what it was less the confirmed orders, and the late answers changed nothing
    assert_every_promise_held(result, ORDERS)
    assert result.faults >= ORDERS // 2
    assert (result.load.completed, result.load.failed) == (ORDERS - result.faults, result.faults)
    assert result.recovered == result.faults
    assert result.load.failure_reasons == {"kitchen did not answer within 10 s": result.faults}
    # And the saga's wait and the kitchen's trigger are back as deployed
    variables = aws.lambda_.get_function_configuration(FunctionName=saga)["Environment"]["Variables"]
    assert variables["KITCHEN_ANSWER_TIMEOUT_SECONDS"] == wait_before["KITCHEN_ANSWER_TIMEOUT_SECONDS"]
    kitchen = aws.outputs.function_names["kitchen-processor"]
    queue_arn = aws.outputs.queue_arns["kitchen-orders"]
    [mapping] = aws.lambda_.list_event_source_mappings(FunctionName=kitchen, EventSourceArn=queue_arn)[
        "EventSourceMappings"
    ]
    assert mapping["State"] in ("Enabled", "Enabling")
