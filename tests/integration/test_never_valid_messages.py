"""Messages that can never succeed are refused by validation before any write, and dead-lettered at
once with a reason naming the field and the rule, never the value.

Tried here, on the deployed functions: bodies nested 100 levels deep (which used to crash the parser
with a RecursionError, so they were retried and dead-lettered without a reason), an orderId and a
correlationid of 3,000 characters (DynamoDB refuses keys over 2,048 bytes), and amounts DynamoDB
cannot hold (1e308, and a 200-digit decimal).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from integration_support import AwsClients, Telemetry, eventually, new_id, order_placed_event
from pubsub_support import order_confirmed

from integration_patterns.cloudevents_envelope import CORRELATION_ID, new_event, to_json
from integration_patterns.dead_letter import DEAD_LETTER_REASON_ATTRIBUTE
from pizza_contracts import KITCHEN_ACKNOWLEDGED_V1


@dataclass(frozen=True)
class NeverValid:
    queue: str
    body: str
    reason: str
    secret: str  # a piece of the input that must not appear in the reason


def _deeply_nested(marker: str) -> str:
    return '{"id": "' + marker + '", "data": ' + "[" * 100 + "]" * 100 + "}"


def _acknowledgement(correlation_id: str) -> str:
    event = new_event(
        KITCHEN_ACKNOWLEDGED_V1, "/tests", {"orderId": "o-1"}, extensions={CORRELATION_ID: correlation_id}
    )
    return to_json(event)


def _order_placed_with_order_id(order_id: str) -> str:
    document = json.loads(order_placed_event(new_id("order-long-id")))
    document["data"]["orderId"] = order_id
    return json.dumps(document)


def _confirmed_with_amount(amount: object, version: int) -> str:
    document = json.loads(order_confirmed(new_id("order-amount"), version=version, amount="17.00"))
    if version == 1:
        document["data"]["amount"] = amount
    else:
        document["data"]["amount"]["value"] = amount
    return json.dumps(document)


def _cases() -> dict[str, NeverValid]:
    marker, long_id = new_id("nested"), "k" * 3000
    return {
        "nested body to the kitchen": NeverValid(
            "kitchen-orders", _deeply_nested(marker), "body: nested deeper than 32 levels", marker
        ),
        "nested body to the order service": NeverValid(
            "order-acknowledgements", _deeply_nested(marker), "body: nested deeper than 32 levels", marker
        ),
        "nested body to loyalty": NeverValid(
            "loyalty-order-events", _deeply_nested(marker), "body: nested deeper than 32 levels", marker
        ),
        "3,000-character orderId": NeverValid(
            "kitchen-orders",
            _order_placed_with_order_id(long_id),
            "orderId: String should have at most 256 characters",
            "kkkk",
        ),
        "3,000-character correlationid": NeverValid(
            "order-acknowledgements",
            _acknowledgement(long_id),
            "attribute correlationid: longer than 512 characters",
            "kkkk",
        ),
        "amount 1e308": NeverValid(
            "loyalty-order-events",
            _confirmed_with_amount(1e308, 1),
            "amount: Input should be less than or equal",
            "1e+308",
        ),
        "200-digit amount.value": NeverValid(
            "loyalty-order-events",
            _confirmed_with_amount("9" * 200, 2),
            "amount.value: String should match pattern",
            "999999",
        ),
    }


CASES = _cases()


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_message_that_can_never_succeed_is_dead_lettered_at_once_with_a_reason_naming_the_rule(
    aws: AwsClients, telemetry: Telemetry, case: NeverValid
) -> None:
    # Given a message no retry could ever process
    dead_letter_queue = f"{case.queue}-dlq"

    # When it is sent to the function's queue
    message_id = aws.send(case.queue, case.body)

    # Then it reaches the DLQ whole, with a reason naming the field and rule but not the input
    dead = _dead_letter_of(aws, dead_letter_queue, case.body)
    reason = dead["MessageAttributes"][DEAD_LETTER_REASON_ATTRIBUTE]["StringValue"]
    assert case.reason in reason
    assert case.secret not in reason
    # And it was received once, never retried: the function refused it on the first receive
    [span] = telemetry.consumer_spans_for_message(message_id)
    assert span.attributes["messaging.aws.sqs.receive_count"] == 1
    assert span.attributes["messaging.dead_letter.reason"] == reason


def _dead_letter_of(aws: AwsClients, queue: str, body: str) -> dict[str, object]:
    """Wait for the DLQ message with ``body`` (other tests' messages may share the queue)."""
    found: list[dict[str, object]] = []

    def arrived() -> bool:
        for message in aws.drain(queue, expect=1, timeout=30):
            if message["Body"] == body:
                found.append(message)
        return bool(found)

    eventually(arrived, timeout=45, interval=0, what=f"the message on {queue}")
    return found[0]
