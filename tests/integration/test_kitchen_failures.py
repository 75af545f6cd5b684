"""Poison pills, malformed messages and redeliveries on the kitchen queue."""

from __future__ import annotations

import json

import pytest
from integration_support import (
    UNCOOKABLE_PIZZA,
    AwsClients,
    Telemetry,
    eventually,
    new_id,
    order_placed_event,
)

from integration_patterns.dead_letter import DEAD_LETTER_REASON_ATTRIBUTE
from pizza_ops.cli import main as pizza_cli
from pizza_ops.stack import EmbeddedStack


def test_poison_message_reaches_the_dlq_after_three_receives_while_the_rest_of_its_batch_succeeds(
    aws: AwsClients, telemetry: Telemetry
) -> None:
    # Given a batch of good orders with one the kitchen always fails on, sent together
    good_ids = [new_id("good") for _ in range(6)]
    poison_id = new_id("poison")
    entries = [order_placed_event(order_id) for order_id in good_ids[:3]]
    entries += [order_placed_event(poison_id, pizza=UNCOOKABLE_PIZZA)]
    entries += [order_placed_event(order_id) for order_id in good_ids[3:]]
    aws.sqs.send_message_batch(
        QueueUrl=aws.queue_url("kitchen-orders"),
        Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate(entries)],
    )

    # When the kitchen processes the batch
    # Then every good order is stored, each processed exactly once (its success was not retried)
    for order_id in good_ids:
        eventually(lambda o=order_id: aws.get_item("kitchen-orders", o), what=f"kitchen order {order_id}")
    # And the poison message lands in the DLQ, untouched, after exactly three failed receives
    dead = aws.drain("kitchen-orders-dlq", expect=1, timeout=60)
    assert [poison_id in m["Body"] for m in dead] == [True]
    attempts = telemetry.consumer_spans("kitchen-processor", poison_id)
    assert sorted(s.attributes["messaging.aws.sqs.receive_count"] for s in attempts) == [1, 2, 3]
    assert all(s.status_code == "ERROR" for s in attempts)
    assert aws.get_item("kitchen-orders", poison_id) is None
    # And by then (three visibility timeouts later) each good order still has exactly one receive
    for order_id in good_ids:
        spans = telemetry.consumer_spans("kitchen-processor", order_id)
        assert [s.attributes["messaging.aws.sqs.receive_count"] for s in spans] == [1]
    # And each failed attempt was logged as an error to be retried, with its receive count
    poison_message_id = attempts[0].attributes["messaging.message.id"]
    failures = aws.log_lines_for_messages(
        "kitchen-processor", {poison_message_id}, where=lambda line: line["level"] == "ERROR", expect=3
    )
    assert sorted(line["receive_count"] for line in failures) == [1, 2, 3]
    assert all("will be retried" in line["message"] and "OvenFailure" in line["exception"] for line in failures)


def test_malformed_message_is_dead_lettered_at_once_with_its_reason(aws: AwsClients, telemetry: Telemetry) -> None:
    # Given messages the kitchen can never process: not a CloudEvent, and an order with no items
    not_an_event = f'{{"hello": "{new_id("not-an-event")}"}}'
    order_id = new_id("no-items")
    no_items = order_placed_event(order_id).replace('"items": [{"pizza": "Margherita", "quantity": 1}]', '"items": []')
    assert '"items": []' in no_items

    # When they are sent to the kitchen queue
    first = aws.send("kitchen-orders", not_an_event)
    second = aws.send("kitchen-orders", no_items)

    # Then both are in the DLQ, each with a reason a support engineer can act on
    dead = {m["MessageId"]: m for m in aws.drain("kitchen-orders-dlq", expect=2, timeout=30)}
    reasons = {
        message["Body"]: message["MessageAttributes"][DEAD_LETTER_REASON_ATTRIBUTE]["StringValue"]
        for message in dead.values()
    }
    assert reasons[not_an_event] == "attribute id: required"
    assert "items" in reasons[no_items]
    assert order_id not in reasons[no_items]  # reasons name fields and rules, never input
    # And neither was retried: one receive each, no redelivery
    for message_id in (first, second):
        spans = telemetry.consumer_spans_for_message(message_id)
        assert [s.attributes["messaging.aws.sqs.receive_count"] for s in spans] == [1]
        assert spans[0].attributes["messaging.dead_letter.reason"]
    # And each rejection was logged as a warning with its reason
    logged = {
        line["message_id"]: line
        for line in aws.log_lines_for_messages(
            "kitchen-processor",
            {first, second},
            where=lambda line: line.get("message") == "Message rejected and dead-lettered without retry",
        )
    }
    assert logged[first]["reason"] == "attribute id: required"
    assert "items" in logged[second]["reason"]
    assert logged[first]["level"] == "WARNING"


def test_logs_command_finds_a_rejected_messages_reason(
    aws: AwsClients, stack: EmbeddedStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a message the kitchen rejected
    message_id = aws.send("kitchen-orders", "this is not JSON")
    aws.drain("kitchen-orders-dlq", expect=1, timeout=30)
    aws.log_lines_for_messages("kitchen-processor", {message_id}, where=lambda line: "reason" in line)

    # When the operator searches the kitchen's logs for that message id
    exit_code = pizza_cli(
        ["--state-dir", str(stack.config.state_dir), "logs", "kitchen-processor", "--filter", message_id]
    )

    # Then the rejection and its reason are there
    [line] = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert exit_code == 0
    assert line["message_id"] == message_id
    assert line["reason"] == "body: not JSON"


def test_same_message_delivered_twice_creates_one_kitchen_order_and_both_deliveries_succeed(
    aws: AwsClients, telemetry: Telemetry
) -> None:
    # Given one order message, delivered and processed once
    order_id = new_id("twice")
    message = order_placed_event(order_id)
    aws.send("kitchen-orders", message)
    original = eventually(lambda: aws.get_item("kitchen-orders", order_id), what="the kitchen order")

    # When SQS delivers the very same message again
    aws.send("kitchen-orders", message)
    spans = eventually(
        lambda: len(s := telemetry.consumer_spans("kitchen-processor", order_id)) == 2 and s,
        what="the second delivery to be processed",
    )

    # Then the kitchen still has the one order, unchanged, and the repeat was recognised as such
    assert aws.get_item("kitchen-orders", order_id) == original
    assert sorted(s.attributes["kitchen.order.duplicate"] for s in spans) == [False, True]
    # And the redelivery succeeded (no error), so it was not retried into the DLQ
    assert all(s.status_code != "ERROR" for s in spans)
