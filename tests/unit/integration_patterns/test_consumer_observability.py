"""What the consumer tells an operator: the messaging attributes on its span, and a log line per
outcome that is not plain success, carrying the message, the queue and why."""

from __future__ import annotations

import io
import json
import logging
import uuid
from typing import Any

from aws_lambda_powertools import Logger
from consumer_support import ShipThing, sqs_event, sqs_record, thing_consumer, thing_event
from in_memory_idempotency_store import InMemoryIdempotencyStore
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from integration_patterns.errors import RetryLater
from integration_patterns.inbox import Inbox


def _log_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _capturing_logger() -> tuple[Logger, io.StringIO]:
    # A service name of its own: Powertools keeps one logger per name, handlers and all.
    stream = io.StringIO()
    service = f"observed-{uuid.uuid4()}"
    return Logger(service=service, logger_handler=logging.StreamHandler(stream), level="INFO"), stream


def _failing_with(error: Exception):  # type: ignore[no-untyped-def]
    def handle(command: ShipThing) -> None:
        raise error

    return handle


def test_the_consumer_span_carries_the_messaging_attributes_of_the_delivery(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given a record received for the second time (ApproximateReceiveCount 2) from queue "orders"
    consumer, _ = thing_consumer(lambda command: None)

    # When it is processed
    consumer.process(sqs_event(sqs_record("m-1", thing_event(subject="t-1"), queue="orders")))

    # Then its span says which system, operation, queue, message and receive it was
    [span] = finished_spans.get_finished_spans()
    assert {key: span.attributes[key] for key in _MESSAGING_KEYS} == {
        "messaging.system": "aws_sqs",
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.destination.name": "orders",
        "messaging.message.id": "m-1",
        "messaging.aws.sqs.receive_count": 2,
    }
    assert span.attributes["cloudevents.event_subject"] == "t-1"


_MESSAGING_KEYS = (
    "messaging.system",
    "messaging.operation.type",
    "messaging.operation.name",
    "messaging.destination.name",
    "messaging.message.id",
    "messaging.aws.sqs.receive_count",
)


def test_a_postponed_record_is_logged_with_its_reason_and_its_span_records_no_exception(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given a handler that cannot take the record yet
    logger, stream = _capturing_logger()
    consumer, _ = thing_consumer(_failing_with(RetryLater("still in flight")), logger=logger)

    # When it is processed
    consumer.process(sqs_event(sqs_record("m-1", thing_event(), queue="orders")))

    # Then one INFO line names the message, the queue, the receive and the reason
    [line] = _log_lines(stream)
    assert line["level"] == "INFO" and line["message"] == "Message postponed; it will be redelivered"
    assert (line["message_id"], line["queue"], line["receive_count"]) == ("m-1", "orders", 2)
    assert line["reason"] == "still in flight"
    # And the span holds no exception event: a postponement is not a failure
    [span] = finished_spans.get_finished_spans()
    assert not [event for event in span.events if event.name == "exception"]


def test_a_rejected_record_is_logged_as_a_warning_with_its_reason() -> None:
    # Given an undecipherable record
    logger, stream = _capturing_logger()
    consumer, _ = thing_consumer(lambda command: None, logger=logger)

    # When it is processed
    consumer.process(sqs_event(sqs_record("m-9", "nope", queue="orders")))

    # Then one WARNING line says it was dead-lettered, for which message and why
    [line] = _log_lines(stream)
    assert line["level"] == "WARNING" and line["message"] == "Message rejected and dead-lettered without retry"
    assert (line["message_id"], line["queue"], line["reason"]) == ("m-9", "orders", "body: not JSON")


def test_an_unexpected_failure_is_logged_as_an_error_naming_the_message() -> None:
    # Given a handler whose store is down
    logger, stream = _capturing_logger()
    consumer, _ = thing_consumer(_failing_with(ConnectionError("down")), logger=logger)

    # When a record is processed
    consumer.process(sqs_event(sqs_record("m-3", thing_event(), queue="orders")))

    # Then one ERROR line, with the exception, names the message and says it will be retried
    [line] = _log_lines(stream)
    assert line["level"] == "ERROR" and line["message"] == "Message processing failed; it will be retried"
    assert (line["message_id"], line["queue"]) == ("m-3", "orders") and "ConnectionError" in line["exception"]


def test_only_a_duplicate_delivery_is_logged_naming_its_event() -> None:
    # Given an inboxed consumer and one event delivered twice
    logger, stream = _capturing_logger()
    consumer, _ = thing_consumer(lambda command: None, inbox=Inbox(InMemoryIdempotencyStore()), logger=logger)
    body = thing_event(event_id="e-5")

    # When both deliveries are processed
    consumer.process(sqs_event(sqs_record("m-1", body)))
    consumer.process(sqs_event(sqs_record("m-2", body)))

    # Then the first is silent and the second is one INFO line naming the event and the message
    [line] = _log_lines(stream)
    assert line["message"] == "Duplicate delivery acknowledged without processing"
    assert (line["event_id"], line["message_id"]) == ("e-5", "m-2")
