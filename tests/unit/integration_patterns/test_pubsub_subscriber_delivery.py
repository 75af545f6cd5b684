"""What a subscriber finds in an SQS body: the CloudEvent, raw or in EventBridge's envelope, and its trace origin."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from cloudevents.core.v1.event import CloudEvent
from opentelemetry import trace

from integration_patterns.cloudevents_envelope import EventType, new_event, to_json
from integration_patterns.errors import InvalidMessage
from integration_patterns.subscriber import (
    EVENTBRIDGE_ENVELOPE,
    NO_ENVELOPE,
    new_trace_linked_to_publisher,
    unwrap_delivery,
)

THING_HAPPENED_V1 = EventType("com.example.thing.happened", 1)
TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C
PUBLISHER_SPAN_ID = 0xB7AD6B7169203331
TRACEPARENT = f"00-{TRACE_ID:032x}-{PUBLISHER_SPAN_ID:016x}-01"


def _event() -> CloudEvent:
    return new_event(
        THING_HAPPENED_V1,
        "/example/producer",
        {"thingId": "t-1", "count": 2},
        new_id=lambda: "event-1",
        extensions={"traceparent": TRACEPARENT},
    )


def _eventbridge_envelope(event: CloudEvent) -> dict[str, Any]:
    """What an EventBridge rule's SQS target receives: the event JSON as ``detail``, an object."""
    return {
        "version": "0",
        "id": "0d0e1f2a-eb00-4c00-8000-000000000001",
        "detail-type": event.get_type(),
        "source": "example.producer",
        "account": "000000000000",
        "time": "2025-03-14T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": json.loads(to_json(event)),
    }


def _record(body: str) -> SQSRecord:
    return SQSRecord({"messageId": "m-1", "body": body, "attributes": {}, "messageAttributes": {}})


def test_a_raw_cloudevent_is_delivered_without_an_envelope() -> None:
    # Given an SQS body that is the CloudEvent itself (SNS raw message delivery, a schedule's input)
    body = to_json(_event())

    # When it is unwrapped
    delivered = unwrap_delivery(body)

    # Then it is that event, and no envelope was removed
    assert delivered.envelope == NO_ENVELOPE == "none"
    assert delivered.event.get_id() == "event-1"
    assert delivered.event.get_data() == {"thingId": "t-1", "count": 2}


def test_an_eventbridge_delivery_is_unwrapped_to_the_same_cloudevent() -> None:
    # Given an SQS body holding EventBridge's envelope, with the CloudEvent object as its detail
    event = _event()
    body = json.dumps(_eventbridge_envelope(event))

    # When it is unwrapped
    delivered = unwrap_delivery(body)

    # Then the envelope is named and the event inside is the one that was published
    assert delivered.envelope == EVENTBRIDGE_ENVELOPE == "eventbridge"
    assert delivered.event.get_id() == event.get_id()
    assert delivered.event.get_type() == event.get_type()
    assert delivered.event.get_source() == event.get_source()
    assert delivered.event.get_data() == event.get_data()
    assert delivered.event.get_attributes()["traceparent"] == TRACEPARENT


@pytest.mark.parametrize("body", ["not json at all", "{", ""], ids=["text", "truncated JSON", "empty"])
def test_a_body_that_is_not_json_is_an_invalid_message(body: str) -> None:
    # Given a body that is not JSON / When it is unwrapped / Then it is refused as invalid (no retry)
    with pytest.raises(InvalidMessage, match="not JSON"):
        unwrap_delivery(body)


def test_json_that_is_no_cloudevent_is_an_invalid_message() -> None:
    # Given a JSON body that is neither a CloudEvent nor an EventBridge envelope
    # When it is unwrapped / Then it is refused as invalid
    with pytest.raises(InvalidMessage):
        unwrap_delivery(json.dumps({"orderId": "order-1"}))


@pytest.mark.parametrize("envelope", [False, True], ids=["raw", "eventbridge"])
def test_a_subscriber_starts_a_new_trace_linked_to_the_publisher(envelope: bool) -> None:
    # Given a delivery of an event carrying the publisher's traceparent, either way it can arrive
    event = _event()
    body = json.dumps(_eventbridge_envelope(event)) if envelope else to_json(event)

    # When the consumer span's origin is chosen
    origin = new_trace_linked_to_publisher(_record(body))

    # Then it has no parent (a new trace) and one link, to the publisher's span
    assert not trace.get_current_span(origin.parent).get_span_context().is_valid
    (link,) = origin.links
    assert (link.context.trace_id, link.context.span_id) == (TRACE_ID, PUBLISHER_SPAN_ID)


def test_an_undecipherable_delivery_starts_a_new_trace_without_links() -> None:
    # Given a body that is not a CloudEvent (it is rejected later, with its reason, inside the span)
    # When the consumer span's origin is chosen / Then it is a new trace with nothing to link to
    origin = new_trace_linked_to_publisher(_record("not json at all"))
    assert not trace.get_current_span(origin.parent).get_span_context().is_valid
    assert tuple(origin.links) == ()
