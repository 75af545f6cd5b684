"""A pub/sub subscriber: a queue of events from a topic and/or a bus, processed once per event id.

For each SQS record:

1. unwrap the delivery: a raw SNS message is the CloudEvent itself; an EventBridge target gets the
   event inside EventBridge's envelope, as ``detail``;
2. start a new trace for this consumer whose first span *links* to the publisher's span (context
   from the event's ``traceparent``): the subscriber's work is caused by the publication, but it
   is not part of it, and one publication may fan out to many independent consumers;
3. translate the event into the consumer's own model (its anti-corruption layer); an event it
   cannot understand is dead-lettered with the reason;
4. run the business logic at most once per event id, through the inbox.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from cloudevents.core.base import BaseCloudEvent
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link
from opentelemetry.util.types import AttributeValue

from integration_patterns import semconv
from integration_patterns.cloudevents_envelope import from_json
from integration_patterns.dead_letter import DeadLetterSink
from integration_patterns.errors import InvalidMessage
from integration_patterns.event_tracing import producer_span_context
from integration_patterns.inbox import Inbox, InboxOutcome
from integration_patterns.sqs_batch import SqsBatchConsumer, TraceOrigin

MessageT = TypeVar("MessageT")

EVENTBRIDGE_ENVELOPE = "eventbridge"
NO_ENVELOPE = "none"


@dataclass(frozen=True)
class DeliveredEvent:
    event: BaseCloudEvent
    envelope: str


def unwrap_delivery(body: str) -> DeliveredEvent:
    """The CloudEvent in an SQS body, whether it arrived raw or inside an EventBridge envelope."""
    try:
        document = json.loads(body)
    except ValueError as error:
        raise InvalidMessage(f"message body is not JSON: {error}") from error
    if isinstance(document, dict) and "detail-type" in document and "detail" in document:
        return DeliveredEvent(from_json(json.dumps(document["detail"])), EVENTBRIDGE_ENVELOPE)
    return DeliveredEvent(from_json(body), NO_ENVELOPE)


def new_trace_linked_to_publisher(record: SQSRecord) -> TraceOrigin:
    """A fresh trace (empty parent context) whose first span links to the publisher's span."""
    try:
        publisher = producer_span_context(unwrap_delivery(record.body or "").event)
    except InvalidMessage:
        publisher = None  # rejected later, with its reason, inside the consumer span
    return TraceOrigin(Context(), (Link(publisher),) if publisher else ())


def _no_attributes(_message: Any) -> Mapping[str, AttributeValue]:
    return {}


class EventSubscriber(Generic[MessageT]):
    """Processes a Lambda SQS batch of subscribed events; see the module docstring."""

    def __init__(
        self,
        translate: Callable[[BaseCloudEvent], MessageT],
        handle: Callable[[MessageT], None],
        *,
        inbox: Inbox | None,
        dead_letter: DeadLetterSink,
        logger: Logger,
        span_attributes: Callable[[MessageT], Mapping[str, AttributeValue]] = _no_attributes,
    ) -> None:
        self._translate = translate
        self._handle = handle
        self._inbox = inbox
        self._logger = logger
        self._span_attributes = span_attributes
        self._consumer = SqsBatchConsumer(
            self._handle_record, dead_letter=dead_letter, logger=logger, trace_origin=new_trace_linked_to_publisher
        )

    def process(self, event: dict[str, Any], context: Any = None) -> PartialItemFailureResponse:
        if self._inbox is not None:
            self._inbox.register_lambda_context(context)
        return self._consumer.process(event, context)

    def _handle_record(self, record: SQSRecord) -> None:
        delivered = unwrap_delivery(record.body or "")
        event = delivered.event
        span = trace.get_current_span()
        span.set_attributes(
            {
                semconv.CLOUDEVENTS_EVENT_ID: event.get_id(),
                semconv.CLOUDEVENTS_EVENT_TYPE: event.get_type(),
                semconv.CLOUDEVENTS_EVENT_SOURCE: event.get_source(),
                semconv.CLOUDEVENTS_EVENT_SUBJECT: event.get_subject() or "",
                semconv.MESSAGING_DELIVERY_ENVELOPE: delivered.envelope,
            }
        )
        message = self._translate(event)
        span.set_attributes(dict(self._span_attributes(message)))
        if self._inbox is None:
            self._handle(message)
            return
        outcome = self._inbox.process_once(event.get_id(), lambda: self._handle(message))
        span.set_attribute(semconv.INBOX_OUTCOME, outcome.value)
        if outcome is InboxOutcome.DUPLICATE:
            self._logger.info(
                "Duplicate delivery acknowledged without processing",
                extra={"event_id": event.get_id(), "message_id": record.message_id},
            )
