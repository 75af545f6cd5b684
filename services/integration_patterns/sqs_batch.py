"""Consuming an SQS batch one record at a time, with partial batch failures.

Each record runs in its own CONSUMER span. By default it is a child of the producer's span
(point-to-point: trace context comes from the message attributes); a pub/sub subscriber passes a
``trace_origin`` that starts a new trace linked to the publisher instead. Outcomes:

* success: the record is deleted;
* :class:`InvalidMessage`: never retried; logged with its reason and moved to the DLQ at once;
* :class:`RetryLater`: only that record is reported failed, logged at info level;
* any other exception: only that record is reported failed, so SQS redelivers it and, after
  ``maxReceiveCount`` receives, moves it to the DLQ while the rest of the batch succeeds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue

from integration_patterns import semconv
from integration_patterns.dead_letter import DeadLetterSink
from integration_patterns.errors import InvalidMessage, RetryLater
from integration_patterns.tracing import extract_from_sqs_attributes

RecordHandler = Callable[[SQSRecord], None]


@dataclass(frozen=True)
class TraceOrigin:
    """Where a record's CONSUMER span starts: under ``parent``, with ``links`` to other spans."""

    parent: Context
    links: Sequence[Link] = field(default_factory=tuple)


def continue_producer_trace(record: SQSRecord) -> TraceOrigin:
    """Point-to-point: the consumer's span is a child of the producer's (context in message attributes)."""
    return TraceOrigin(extract_from_sqs_attributes(record.raw_event.get("messageAttributes") or {}))


_tracer = trace.get_tracer(__name__)


class SqsBatchConsumer:
    """Runs ``handle_record`` for every record of an SQS batch; see the module docstring."""

    def __init__(
        self,
        handle_record: RecordHandler,
        *,
        dead_letter: DeadLetterSink,
        logger: Logger,
        trace_origin: Callable[[SQSRecord], TraceOrigin] = continue_producer_trace,
    ) -> None:
        self._handle_record = handle_record
        self._dead_letter = dead_letter
        self._logger = logger
        self._trace_origin = trace_origin

    def process(self, event: dict[str, Any], context: Any = None) -> PartialItemFailureResponse:
        """Process a Lambda SQS event; returns the ``batchItemFailures`` response."""
        records = event.get("Records") or []
        is_fifo = any(str(r.get("eventSourceARN", "")).endswith(".fifo") for r in records)
        processor: BatchProcessor
        if is_fifo:
            # Later messages of a failed group must not overtake it: they fail too, in order.
            processor = SqsFifoPartialProcessor(skip_group_on_error=True)
        else:
            processor = BatchProcessor(EventType.SQS, raise_on_entire_batch_failure=False)
        return process_partial_response(event, self._process_record, processor, context)

    def _process_record(self, record: SQSRecord) -> None:
        queue_name = semconv.queue_name_from_arn(record.event_source_arn)
        origin = self._trace_origin(record)
        receive_count = int(record.attributes.approximate_receive_count or "1")
        attributes: dict[str, AttributeValue] = {
            semconv.MESSAGING_SYSTEM: semconv.SQS_SYSTEM,
            semconv.MESSAGING_OPERATION_TYPE: "process",
            semconv.MESSAGING_OPERATION_NAME: "process",
            semconv.MESSAGING_DESTINATION_NAME: queue_name,
            semconv.MESSAGING_MESSAGE_ID: record.message_id,
            "messaging.aws.sqs.receive_count": receive_count,
        }
        with _tracer.start_as_current_span(
            f"process {queue_name}",
            context=origin.parent,
            kind=SpanKind.CONSUMER,
            attributes=attributes,
            links=origin.links,
            # Set below, per outcome: a postponed record is not an error.
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            log_fields = {
                "message_id": record.message_id,
                "queue": queue_name,
                "receive_count": receive_count,
            }
            try:
                self._handle_record(record)
            except InvalidMessage as rejection:
                self._logger.warning(
                    "Message rejected and dead-lettered without retry", extra={**log_fields, "reason": rejection.reason}
                )
                span.set_attribute("messaging.dead_letter.reason", rejection.reason)
                span.set_status(Status(StatusCode.ERROR, f"rejected: {rejection.reason}"))
                self._dead_letter.send(record, rejection.reason)
            except RetryLater as postponed:
                reason = str(postponed)
                self._logger.info("Message postponed; it will be redelivered", extra={**log_fields, "reason": reason})
                span.set_attribute("messaging.postponed.reason", reason)
                raise
            except Exception as failure:
                span.record_exception(failure)
                span.set_status(Status(StatusCode.ERROR, f"{type(failure).__name__}: {failure}"))
                self._logger.exception("Message processing failed; it will be retried", extra=log_fields)
                raise
