"""One consumer for every queue-fed function: the CloudEvents in an SQS batch, one record at a time.

For each record, point-to-point and publish/subscribe alike:

1. unwrap the body once (:mod:`deliveries`: the event itself, or EventBridge's envelope around it);
2. open the record's CONSUMER span. ``TraceMode.CONTINUE`` makes it a child of the producer's span
   (point-to-point: one request, one trace); ``TraceMode.LINK`` starts a new trace that links to
   the publisher's span (publish/subscribe: one publication fans out to independent consumers);
3. redeem its claim check, if it carries one (:mod:`claim_check`), so the data is whole again;
4. check the event's type against what the consumer's translation accepts, then translate it into
   the consumer's own message (its anti-corruption layer);
5. run the handler, through the inbox when there is one (at most once per event id).

Outcomes, the three-way failure taxonomy:

* success: the record is deleted;
* :class:`InvalidMessage`, or one of the domain errors the consumer declares in ``rejects``: the
  message can never succeed, so it is dead-lettered at once with the reason (never retried);
* :class:`RetryLater`: only that record is reported failed, logged at info level; with
  ``retries`` (:mod:`delayed_retries`) it comes back after a growing delay, and once its attempts
  are used up it is dead-lettered with the reason;
* any other exception: only that record is reported failed, so SQS redelivers it and, after
  ``maxReceiveCount`` receives, moves it to the DLQ while the rest of the batch succeeds.

A FIFO batch keeps its order: after a failure, the rest of that message group fails too.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch import (
    EventType as BatchEventType,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from cloudevents.core.base import BaseCloudEvent
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue

from integration_patterns import semconv
from integration_patterns.claim_check import ClaimRedeemer, carries_data_claim
from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.dead_letter import DeadLetterSink
from integration_patterns.delayed_retries import DelayedRetries
from integration_patterns.deliveries import Delivery, unwrap
from integration_patterns.errors import InvalidMessage, RetryLater
from integration_patterns.event_contracts import supported_type
from integration_patterns.event_tracing import producer_span_context
from integration_patterns.inbox import Inbox, InboxOutcome
from integration_patterns.tracing import extract_from_sqs_attributes

MessageT = TypeVar("MessageT")

# What a handler may tell about its outcome: attributes for the record's span.
SpanFacts = Mapping[str, AttributeValue]

_tracer = trace.get_tracer(__name__)


class TraceMode(StrEnum):
    """How a record's span relates to the producer's (see the module docstring)."""

    CONTINUE = "continue"
    LINK = "link"


def _no_facts(_message: Any) -> SpanFacts:
    return {}


@dataclass(frozen=True)
class Translation(Generic[MessageT]):
    """A consumer's anti-corruption layer: which event types it takes, and how it reads them.

    ``translate`` runs only for an accepted type, and gets it already parsed. ``describe`` names
    the business entity a message is about, as span attributes, so its traces can be found.
    """

    consumer: str
    accepts: Collection[EventType]
    translate: Callable[[BaseCloudEvent, EventType], MessageT]
    describe: Callable[[MessageT], SpanFacts] = field(default=_no_facts)

    def read(self, event: BaseCloudEvent) -> MessageT:
        """The event in the consumer's own terms; :class:`InvalidMessage` for a type it does not take."""
        return self.translate(event, supported_type(event, self.accepts, self.consumer))


class CloudEventConsumer(Generic[MessageT]):
    """Processes a Lambda SQS event of CloudEvents; see the module docstring."""

    def __init__(
        self,
        translation: Translation[MessageT],
        handle: Callable[[MessageT], SpanFacts | None],
        *,
        trace_mode: TraceMode,
        dead_letter: DeadLetterSink,
        logger: Logger,
        inbox: Inbox | None = None,
        rejects: tuple[type[Exception], ...] = (),
        claims: ClaimRedeemer | None = None,
        retries: DelayedRetries | None = None,
    ) -> None:
        self._translation = translation
        self._handle = handle
        self._trace_mode = trace_mode
        self._dead_letter = dead_letter
        self._logger = logger
        self._inbox = inbox
        self._rejects = rejects
        self._claims = claims
        self._retries = retries

    def process(self, event: Mapping[str, Any], context: Any = None) -> PartialItemFailureResponse:
        """Process a Lambda SQS event; returns the ``batchItemFailures`` response."""
        if self._inbox is not None:
            self._inbox.register_lambda_context(context)
        records = event.get("Records") or []
        processor: BatchProcessor
        if any(str(r.get("eventSourceARN", "")).endswith(".fifo") for r in records):
            # Later messages of a failed group must not overtake it: they fail too, in order.
            processor = SqsFifoPartialProcessor(skip_group_on_error=True)
        else:
            processor = BatchProcessor(BatchEventType.SQS, raise_on_entire_batch_failure=False)
        return process_partial_response(dict(event), self._process_record, processor, context)

    def _process_record(self, record: SQSRecord) -> None:
        queue_name = semconv.queue_name_from_arn(record.event_source_arn)
        receive_count = int(record.attributes.approximate_receive_count or "1")
        delivery: Delivery | InvalidMessage
        try:
            delivery = unwrap(record.body or "")
        except InvalidMessage as refusal:
            delivery = refusal  # refused inside the span, so the refusal is traced too
        parent, links = self._trace_origin(record, delivery)
        attributes: dict[str, AttributeValue] = {
            semconv.MESSAGING_SYSTEM: semconv.SQS_SYSTEM,
            semconv.MESSAGING_OPERATION_TYPE: "process",
            semconv.MESSAGING_OPERATION_NAME: "process",
            semconv.MESSAGING_DESTINATION_NAME: queue_name,
            semconv.MESSAGING_MESSAGE_ID: record.message_id,
            "messaging.aws.sqs.receive_count": receive_count,
        }
        log_fields = {"message_id": record.message_id, "queue": queue_name, "receive_count": receive_count}
        with _tracer.start_as_current_span(
            f"process {queue_name}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes=attributes,
            links=links,
            # Set below, per outcome: a postponed record is not an error.
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                if isinstance(delivery, InvalidMessage):
                    raise delivery
                self._consume(delivery, span, log_fields)
            except self._rejects as rejection:
                self._dead_letter_now(record, span, log_fields, f"{type(rejection).__name__}: {rejection}")
            except InvalidMessage as rejection:
                self._dead_letter_now(record, span, log_fields, rejection.reason)
            except RetryLater as postponed:
                reason = str(postponed)
                span.set_attribute("messaging.postponed.reason", reason)
                if self._retries is not None and self._retries.backoff.gives_up_after(receive_count):
                    self._dead_letter_now(record, span, log_fields, f"gave up after {receive_count} attempts: {reason}")
                    return
                if self._retries is not None:
                    delay = self._retries.postpone(record.receipt_handle, receive_count)
                    log_fields["retry_in_seconds"] = delay
                    span.set_attribute("messaging.retry.delay_seconds", delay)
                self._logger.info("Message postponed; it will be redelivered", extra={**log_fields, "reason": reason})
                raise
            except Exception as failure:
                span.record_exception(failure)
                span.set_status(Status(StatusCode.ERROR, type(failure).__name__))
                self._logger.exception("Message processing failed; it will be retried", extra=log_fields)
                raise

    def _consume(self, delivery: Delivery, span: Span, log_fields: dict[str, Any]) -> None:
        event = delivery.event
        span.set_attributes(
            {
                semconv.CLOUDEVENTS_EVENT_ID: event.get_id(),
                semconv.CLOUDEVENTS_EVENT_TYPE: event.get_type(),
                semconv.CLOUDEVENTS_EVENT_SOURCE: event.get_source(),
                semconv.CLOUDEVENTS_EVENT_SUBJECT: event.get_subject() or "",
                semconv.MESSAGING_DELIVERY_ENVELOPE: delivery.envelope,
            }
        )
        if self._claims is not None:
            # Before the anti-corruption layer: translators never know a claim was used.
            event = self._claims.redeem(event)
        elif carries_data_claim(event):
            raise InvalidMessage(f"event {event.get_id()}: its data is a claim check, and this consumer redeems none")
        message = self._translation.read(event)
        span.set_attributes(dict(self._translation.describe(message)))
        if self._inbox is None:
            span.set_attributes(dict(self._handle(message) or {}))
            return

        def handle_once() -> None:
            span.set_attributes(dict(self._handle(message) or {}))

        outcome = self._inbox.process_once(event.get_id(), handle_once)
        span.set_attribute(semconv.INBOX_OUTCOME, outcome.value)
        if outcome is InboxOutcome.DUPLICATE:
            self._logger.info(
                "Duplicate delivery acknowledged without processing", extra={**log_fields, "event_id": event.get_id()}
            )

    def _trace_origin(self, record: SQSRecord, delivery: Delivery | InvalidMessage) -> tuple[Context, list[Link]]:
        producer = None if isinstance(delivery, InvalidMessage) else producer_span_context(delivery.event)
        if self._trace_mode is TraceMode.LINK:
            return Context(), [Link(producer)] if producer else []
        parent = extract_from_sqs_attributes(record.raw_event.get("messageAttributes") or {})
        if not trace.get_current_span(parent).get_span_context().is_valid and producer is not None:
            # A channel without message attributes (a schedule, a bus): the context rode in the event.
            parent = trace.set_span_in_context(trace.NonRecordingSpan(producer))
        return parent, []

    def _dead_letter_now(self, record: SQSRecord, span: Span, log_fields: dict[str, Any], reason: str) -> None:
        self._logger.warning("Message rejected and dead-lettered without retry", extra={**log_fields, "reason": reason})
        span.set_attribute("messaging.dead_letter.reason", reason)
        span.set_status(Status(StatusCode.ERROR, f"rejected: {reason}"))
        self._dead_letter.send(record, reason)
