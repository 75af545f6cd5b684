"""Sending CloudEvents to SQS: FIFO fields, trace context in attributes, a PRODUCER span."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from integration_patterns.cloudevents_envelope import CORRELATION_ID, EventType, from_json, new_event
from integration_patterns.sqs_sender import SqsCloudEventSender

STANDARD = "http://sqs.local/000000000000/orders"
FIFO = "http://sqs.local/000000000000/orders.fifo"


class RecordingSqs:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def send_message(self, **request: Any) -> dict[str, str]:
        self.requests.append(request)
        return {"MessageId": f"m-{len(self.requests)}"}


def _event() -> Any:
    return new_event(EventType("com.example.thing.happened", 1), "/tests", {"a": 1}, extensions={CORRELATION_ID: "c-9"})


def test_standard_queue_gets_the_structured_event_and_no_fifo_fields(finished_spans: InMemorySpanExporter) -> None:
    # Given a sender on a standard queue
    sqs = RecordingSqs()
    event = _event()

    # When an event is sent
    message_id = SqsCloudEventSender(sqs, STANDARD).send(event)

    # Then the body is the structured CloudEvent, without FIFO fields
    [request] = sqs.requests
    assert message_id == "m-1"
    assert from_json(request["MessageBody"]).get_id() == event.get_id()
    assert "MessageGroupId" not in request
    assert "MessageDeduplicationId" not in request


def test_fifo_queue_needs_a_group_and_deduplicates_on_the_event_id_by_default() -> None:
    # Given a sender on a FIFO queue
    sqs = RecordingSqs()
    sender = SqsCloudEventSender(sqs, FIFO)
    event = _event()

    # When an event is sent without a group, it is refused
    with pytest.raises(ValueError, match="FIFO"):
        sender.send(event)
    # When it is sent with a group (and no explicit deduplication id)
    sender.send(event, group_id="customer-1")
    sender.send(event, group_id="customer-1", deduplication_id="order-1")

    # Then the group is set, and deduplication falls back to the event id
    assert [(r["MessageGroupId"], r["MessageDeduplicationId"]) for r in sqs.requests] == [
        ("customer-1", event.get_id()),
        ("customer-1", "order-1"),
    ]


def test_send_is_a_producer_span_whose_context_travels_in_the_message_attributes(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given a sender
    sqs = RecordingSqs()

    # When an event is sent
    SqsCloudEventSender(sqs, STANDARD).send(_event())

    # Then one PRODUCER span with messaging attributes was recorded
    [span] = finished_spans.get_finished_spans()
    assert span.kind is SpanKind.PRODUCER
    assert span.name == "send orders"
    assert span.attributes is not None
    assert span.attributes["messaging.system"] == "aws_sqs"
    assert span.attributes["messaging.destination.name"] == "orders"
    assert span.attributes["messaging.message.id"] == "m-1"
    assert span.attributes["messaging.message.conversation_id"] == "c-9"
    # And the message carries that span's context as a W3C traceparent attribute
    traceparent = sqs.requests[0]["MessageAttributes"]["traceparent"]
    assert traceparent["DataType"] == "String"
    _, trace_id, span_id, _ = traceparent["StringValue"].split("-")
    assert (int(trace_id, 16), int(span_id, 16)) == (span.context.trace_id, span.context.span_id)
