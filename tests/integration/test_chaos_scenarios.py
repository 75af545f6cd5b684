"""`pizza chaos` scenarios against the suite's stack: each breaks the system on purpose under load
and must end with no order lost and no business effect twice (kitchen order, payment, loyalty award,
notification, delivery, count), besides the scenario's own promises (its checks).

What is tried: a kitchen outage of a whole run (its table setting names a missing table) repaired
and redriven; six kinds of poison pill on the kitchen and acknowledgement queues, the topic and the
bus, mixed into the orders; the outbox relay failing in turns before its sends and between its
sends and its marks; saga orders failing in turn at payment, in the kitchen's callback wait and at
stock; every order's webhook receiver down or too slow; every outbox stream record, published
event, bus event and subscriber message of a run delivered again three times, through both workflows.
"""

from __future__ import annotations

import time

import pytest
from chaos_support import assert_every_promise_held, run_scenario
from integration_support import AwsClients

from pizza_ops.chaos import ChaosResult
from pizza_ops.load import Workflow
from pizza_ops.stack import EmbeddedStack

ORDERS, RATE = 10, 2.0


def _run(stack: EmbeddedStack, scenario: str, workflow: Workflow = "saga") -> ChaosResult:
    return run_scenario(stack, scenario, ORDERS, RATE, workflow)


def _assert_every_promise_held(result: ChaosResult) -> None:
    assert_every_promise_held(result, ORDERS)


def test_a_kitchen_outage_under_load_is_redriven_after_the_fix_and_every_order_completes_once(
    stack: EmbeddedStack, aws: AwsClients
) -> None:
    # Given a kitchen that fails every order for a whole run of 10 orders (its table unreachable)
    # When its DLQ fills, the fault is fixed and the DLQ redriven at its trigger's pace
    # (through the choreography: the suite's saga waits only 20 s for the kitchen, less than an
    # outage and its redrive may take on a busy machine; the saga's own 300 s would do)
    result = _run(stack, "kitchen-outage", "choreography")

    # Then every order's message was dead-lettered, and after the redrive every order completed,
    # each effect once, the DLQ holding again only what it held before
    _assert_every_promise_held(result)
    assert result.faults == ORDERS
    assert result.recovered == ORDERS == result.load.completed
    # And the kitchen was left healthy
    function = aws.outputs.function_names["kitchen-processor"]
    variables = aws.lambda_.get_function_configuration(FunctionName=function)["Environment"]["Variables"]
    assert variables["KITCHEN_ORDERS_TABLE_NAME"] == aws.table("kitchen-orders")


def test_poison_pills_among_orders_each_land_in_every_consumers_dlq_with_a_reason_and_the_orders_complete(
    stack: EmbeddedStack,
) -> None:
    # Given a steady run of orders / When six kinds of poison pill are sent among them
    result = _run(stack, "poison-pills")

    # Then every order completed once, and every pill is in the DLQ of each consumer that got it
    # (3 queues' own, and the topic's and the bus's to each of the 4 subscribers) with its reason
    _assert_every_promise_held(result)
    assert result.load.completed == ORDERS
    assert (result.faults, result.recovered) == (6, 3 + 3 * 4)


def test_saga_orders_failing_in_turn_at_every_step_have_each_completed_step_undone_exactly_once(
    stack: EmbeddedStack, aws: AwsClients
) -> None:
    # Given 10 saga orders, which in turn complete, are declined at payment, are refused by the
    # kitchen during the saga's wait for its callback, and find their pizza out of stock
    # When they run
    result = _run(stack, "saga-failures")

    # Then each ended as its fault says, its payment charged, declined, refunded or never taken,
    # and the stock is what it was less the confirmed orders (a release given twice would show)
    _assert_every_promise_held(result)
    assert (result.load.completed, result.load.failed) == (3, 7)
    assert result.recovered == 5  # 3 declined (stock released) + 2 refused (refunded, released)
    # And the demo rules are back as deployed
    saga = aws.outputs.function_names["order-saga"]
    variables = aws.lambda_.get_function_configuration(FunctionName=saga)["Environment"]["Variables"]
    assert variables["DECLINED_CUSTOMERS"] == "c-declined"


def test_a_dead_or_slow_webhook_receiver_leaves_the_orders_alone_and_each_delivery_is_tried_then_dead_lettered(
    stack: EmbeddedStack, aws: AwsClients
) -> None:
    # Given orders whose callback URLs answer 503, or answer only after the dispatcher gave up waiting
    dispatcher = aws.outputs.function_names["order-webhook-dispatcher"]
    settings_before = aws.lambda_.get_function_configuration(FunctionName=dispatcher)["Environment"]["Variables"]

    # (the suite's queues make messages visible again after 3 s; a slow receiver's attempt takes
    # the dispatcher's whole 5 s wait, so the webhook queue gets its declared timeout meanwhile, or
    # a second receive would start a second attempt while the first still waits)
    webhooks = aws.queue_url("order-webhooks")
    declared = str(stack.config.system.queues["order-webhooks"].visibility_timeout_seconds)
    before = aws.sqs.get_queue_attributes(QueueUrl=webhooks, AttributeNames=["VisibilityTimeout"])["Attributes"]
    aws.sqs.set_queue_attributes(QueueUrl=webhooks, Attributes={"VisibilityTimeout": declared})

    # When the orders run
    try:
        result = _run(stack, "webhook-receiver-down", "choreography")
    finally:
        aws.sqs.set_queue_attributes(QueueUrl=webhooks, Attributes=before)

    # Then every order completed, and each delivery was tried 3 times, then dead-lettered with its reason
    _assert_every_promise_held(result)
    assert result.load.completed == ORDERS
    assert result.recovered >= ORDERS  # at least one status change per order was to be told
    assert result.faults == 3 * result.recovered
    # And the dispatcher's settings are as they were
    settings_after = aws.lambda_.get_function_configuration(FunctionName=dispatcher)["Environment"]["Variables"]
    assert settings_after == settings_before


@pytest.mark.parametrize("workflow", ["saga", "choreography"])
def test_a_relay_failing_before_its_sends_and_between_its_sends_and_marks_loses_nothing_and_doubles_nothing(
    stack: EmbeddedStack, aws: AwsClients, workflow: Workflow
) -> None:
    # Given a run of orders / When the outbox relay, in turns, cannot send, then sends but cannot
    # record it (so the stream hands it the same records again), then is repaired
    result = _run(stack, "relay-crashes", workflow)

    # Then the faults held events back, yet every order completed, each effect once, nothing unsent
    _assert_every_promise_held(result)
    assert result.faults >= 2
    assert result.load.completed == ORDERS
    # And the relay was left with its own settings
    function = aws.outputs.function_names["order-outbox-publisher"]
    variables = aws.lambda_.get_function_configuration(FunctionName=function)["Environment"]["Variables"]
    assert variables["ORDERS_TABLE_NAME"] == aws.table("orders")
    assert variables["KITCHEN_QUEUE_URL"] == aws.queue_url("kitchen-orders")


@pytest.mark.parametrize("workflow", ["saga", "choreography"])
def test_a_duplicate_storm_of_every_message_of_a_run_leaves_each_effect_once(
    stack: EmbeddedStack, workflow: Workflow
) -> None:
    # Given a run of orders through the workflow, all final
    started = time.time_ns()

    # When every outbox stream record, topic event, bus event and subscriber message is delivered 3 more times
    result = _run(stack, "duplicate-storm", workflow)

    # Then every effect is still one per order
    _assert_every_promise_held(result)
    assert result.recovered == ORDERS
    # And the copies really reached the consumers: loyalty alone received each order's event at
    # least once per copy and way (SNS, EventBridge, SQS), on top of the original
    loyalty_receives = [
        span
        for span in stack.spans.spans_started_between(started, time.time_ns())
        if span.service_name == "loyalty" and span.kind == "CONSUMER"
    ]
    assert len(loyalty_receives) >= ORDERS * (1 + 3 * 3)
