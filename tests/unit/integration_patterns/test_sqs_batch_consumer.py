"""Consuming an SQS batch: partial failures, dead-lettering of invalid messages, FIFO order, tracing."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link, NonRecordingSpan, SpanContext, SpanKind, StatusCode, TraceFlags

from integration_patterns.dead_letter import DeadLetterSink
from integration_patterns.errors import InvalidMessage, RetryLater
from integration_patterns.sqs_batch import SqsBatchConsumer, TraceOrigin

TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C
PRODUCER_SPAN_ID = 0xB7AD6B7169203331


class RecordingDeadLetterSink(DeadLetterSink):
    """Records what would have gone to the DLQ instead of sending it."""

    def __init__(self) -> None:
        super().__init__(sqs_client=None, queue_url="https://queue.example/q-dlq")
        self.sent: list[tuple[str, str]] = []

    def send(self, record: SQSRecord, reason: str) -> None:
        self.sent.append((record.message_id, reason))


def _record(
    message_id: str,
    body: str = "{}",
    *,
    queue: str = "q",
    group_id: str | None = None,
    message_attributes: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One record in the shape Lambda's SQS event source delivers it."""
    attributes = {
        "ApproximateReceiveCount": "2",
        "SentTimestamp": "1700000000000",
        "SenderId": "AIDAEXAMPLE",
        "ApproximateFirstReceiveTimestamp": "1700000000100",
    }
    if group_id is not None:
        attributes |= {"MessageGroupId": group_id, "MessageDeduplicationId": message_id, "SequenceNumber": "1"}
    return {
        "messageId": message_id,
        "receiptHandle": f"receipt-{message_id}",
        "body": body,
        "attributes": attributes,
        "messageAttributes": message_attributes or {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-east-1:000000000000:{queue}",
        "awsRegion": "us-east-1",
    }


def _consumer(handle: Callable[[SQSRecord], None]) -> tuple[SqsBatchConsumer, RecordingDeadLetterSink]:
    sink = RecordingDeadLetterSink()
    return SqsBatchConsumer(handle, dead_letter=sink, logger=Logger(service="tests")), sink


def _failing_on(outcomes: dict[str, Exception], handled: list[str]) -> Callable[[SQSRecord], None]:
    def handle(record: SQSRecord) -> None:
        handled.append(record.message_id)
        if record.message_id in outcomes:
            raise outcomes[record.message_id]

    return handle


def _failed_ids(response: Any) -> list[str]:
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


def test_a_failing_record_is_the_only_one_reported_failed() -> None:
    # Given a batch of three where the second record's handler fails
    handled: list[str] = []
    consumer, sink = _consumer(_failing_on({"m-2": RuntimeError("database timeout")}, handled))

    # When the batch is processed
    response = consumer.process({"Records": [_record("m-1"), _record("m-2"), _record("m-3")]})

    # Then only that record goes back to the queue for a retry, and nothing is dead-lettered
    assert _failed_ids(response) == ["m-2"]
    assert handled == ["m-1", "m-2", "m-3"]
    assert sink.sent == []


def test_an_invalid_message_is_dead_lettered_with_its_reason_and_not_retried() -> None:
    # Given a batch where one record can never succeed
    handled: list[str] = []
    consumer, sink = _consumer(_failing_on({"m-2": InvalidMessage("orderId: field required")}, handled))

    # When the batch is processed
    response = consumer.process({"Records": [_record("m-1"), _record("m-2"), _record("m-3")]})

    # Then it is not reported failed (no retry) but sent to the DLQ with the reason, and the rest succeed
    assert _failed_ids(response) == []
    assert sink.sent == [("m-2", "orderId: field required")]
    assert handled == ["m-1", "m-2", "m-3"]


def test_a_batch_that_all_succeeds_reports_no_failures() -> None:
    # Given a batch whose records all succeed
    handled: list[str] = []
    consumer, sink = _consumer(_failing_on({}, handled))

    # When it is processed / Then no failures are reported and every record was handled
    response = consumer.process({"Records": [_record("m-1"), _record("m-2"), _record("m-3")]})
    assert response == {"batchItemFailures": []}
    assert handled == ["m-1", "m-2", "m-3"]
    assert sink.sent == []


def test_a_failure_in_a_fifo_group_fails_the_rest_of_that_group_while_other_groups_continue() -> None:
    # Given a FIFO batch interleaving groups A and B, where A's first message fails
    handled: list[str] = []
    consumer, _ = _consumer(_failing_on({"a-1": RuntimeError("oven down")}, handled))
    records = [
        _record("a-1", queue="q.fifo", group_id="A"),
        _record("b-1", queue="q.fifo", group_id="B"),
        _record("a-2", queue="q.fifo", group_id="A"),
        _record("b-2", queue="q.fifo", group_id="B"),
    ]

    # When the batch is processed
    response = consumer.process({"Records": records})

    # Then A's later message is failed without being handled (it must not overtake a-1), and B succeeds
    assert _failed_ids(response) == ["a-1", "a-2"]
    assert handled == ["a-1", "b-1", "b-2"]


def test_a_record_is_processed_in_a_consumer_span_continuing_the_producers_trace(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given a record carrying the producer's W3C trace context
    traceparent = f"00-{TRACE_ID:032x}-{PRODUCER_SPAN_ID:016x}-01"
    record = _record("m-1", message_attributes={"traceparent": {"stringValue": traceparent, "dataType": "String"}})
    seen_in_handler: list[trace.SpanContext] = []
    consumer, _ = _consumer(lambda _record: seen_in_handler.append(trace.get_current_span().get_span_context()))

    # When the batch is processed
    consumer.process({"Records": [record]})

    # Then the handler ran inside one CONSUMER span, a child of the producer's span
    (span,) = finished_spans.get_finished_spans()
    assert span.kind is SpanKind.CONSUMER
    assert span.name == "process q"
    assert span.context is not None
    assert span.parent is not None
    assert span.context.trace_id == TRACE_ID
    assert span.parent.span_id == PRODUCER_SPAN_ID
    assert seen_in_handler == [span.context]
    # And it carries the messaging semantic-convention attributes
    assert span.attributes is not None
    assert dict(span.attributes) == {
        "messaging.system": "aws_sqs",
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.destination.name": "q",
        "messaging.message.id": "m-1",
        "messaging.aws.sqs.receive_count": 2,
    }


def test_a_record_without_trace_context_starts_a_new_trace(finished_spans: InMemorySpanExporter) -> None:
    # Given a record with no traceparent
    consumer, _ = _consumer(lambda _record: None)

    # When it is processed / Then its span is a root span
    consumer.process({"Records": [_record("m-1")]})
    (span,) = finished_spans.get_finished_spans()
    assert span.parent is None
    assert span.kind is SpanKind.CONSUMER


def test_a_rejected_record_marks_its_span_as_an_error_with_the_reason(finished_spans: InMemorySpanExporter) -> None:
    # Given a record the handler rejects as invalid
    consumer, _ = _consumer(_failing_on({"m-1": InvalidMessage("no orderId")}, []))

    # When it is processed
    consumer.process({"Records": [_record("m-1")]})

    # Then the span says why the message was dead-lettered
    (span,) = finished_spans.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes is not None
    assert span.attributes["messaging.dead_letter.reason"] == "no orderId"


def test_a_record_postponed_with_retry_later_is_reported_failed_and_not_dead_lettered() -> None:
    # Given a batch where one record cannot be processed yet (another delivery of it is in flight)
    handled: list[str] = []
    log = io.StringIO()
    sink = RecordingDeadLetterSink()
    handle = _failing_on({"m-2": RetryLater("event-1 is being processed by another delivery")}, handled)
    consumer = SqsBatchConsumer(handle, dead_letter=sink, logger=Logger(service="tests-retry-later", stream=log))

    # When the batch is processed
    response = consumer.process({"Records": [_record("m-1"), _record("m-2"), _record("m-3")]})

    # Then only that record goes back to the queue, and it is not dead-lettered
    assert _failed_ids(response) == ["m-2"]
    assert handled == ["m-1", "m-2", "m-3"]
    assert sink.sent == []
    # And it is logged at info level with its reason, not as an error
    entries = [json.loads(line) for line in log.getvalue().splitlines()]
    postponed = [entry for entry in entries if entry.get("message_id") == "m-2"]
    assert [entry["level"] for entry in postponed] == ["INFO"]
    assert postponed[0]["reason"] == "event-1 is being processed by another delivery"


def test_a_trace_origin_with_links_starts_a_new_trace_linked_to_those_spans(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given a record carrying a producer's trace context in its message attributes...
    traceparent = f"00-{TRACE_ID:032x}-{PRODUCER_SPAN_ID:016x}-01"
    record = _record("m-1", message_attributes={"traceparent": {"stringValue": traceparent, "dataType": "String"}})
    # ...and a consumer told to start a new trace linked to a publisher instead (pub/sub)
    publisher_trace_id, publisher_span_id = 0x1234567890ABCDEF1234567890ABCDEF, 0x1122334455667788
    publisher = SpanContext(publisher_trace_id, publisher_span_id, is_remote=True, trace_flags=TraceFlags(1))
    sink = RecordingDeadLetterSink()
    consumer = SqsBatchConsumer(
        lambda _record: None,
        dead_letter=sink,
        logger=Logger(service="tests"),
        trace_origin=lambda _record: TraceOrigin(Context(), (Link(publisher, {"link.reason": "published"}),)),
    )

    # When the batch is processed
    consumer.process({"Records": [record]})

    # Then the consumer span is the root of a new trace, unrelated to either producer's trace
    (span,) = finished_spans.get_finished_spans()
    assert span.kind is SpanKind.CONSUMER
    assert span.parent is None
    assert span.context is not None
    assert span.context.trace_id not in (TRACE_ID, publisher_trace_id)
    # And it links to the publisher's span
    (link,) = span.links
    assert (link.context.trace_id, link.context.span_id) == (publisher_trace_id, publisher_span_id)
    assert link.attributes is not None
    assert dict(link.attributes) == {"link.reason": "published"}


def test_a_trace_origin_parent_makes_the_consumer_span_its_child(finished_spans: InMemorySpanExporter) -> None:
    # Given a consumer whose trace origin names a parent context and no links
    parent = SpanContext(TRACE_ID, PRODUCER_SPAN_ID, is_remote=True, trace_flags=TraceFlags(1))
    origin = TraceOrigin(trace.set_span_in_context(NonRecordingSpan(parent)))
    consumer = SqsBatchConsumer(
        lambda _record: None,
        dead_letter=RecordingDeadLetterSink(),
        logger=Logger(service="tests"),
        trace_origin=lambda _record: origin,
    )

    # When a record is processed / Then its span continues that trace, without links
    consumer.process({"Records": [_record("m-1")]})
    (span,) = finished_spans.get_finished_spans()
    assert span.parent is not None
    assert span.parent.span_id == PRODUCER_SPAN_ID
    assert span.links == ()
