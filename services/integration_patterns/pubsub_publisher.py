"""Publishing a CloudEvent to subscribers through SNS, EventBridge, or both.

One PRODUCER span covers the publication, and its context goes into the event (``traceparent``),
so every subscriber can link its own trace to it whichever channel delivered its copy. Both
channels get the same event with the same id: a subscriber fed by both processes it once (inbox).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from cloudevents.core.base import BaseCloudEvent
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from integration_patterns import semconv
from integration_patterns.batch_sends import BatchEntryRefused, SendOutcomes, send_in_batches, utf8_size
from integration_patterns.cloudevents_envelope import EventType, to_json
from integration_patterns.event_tracing import batch_call_span, producer_span_context, with_current_trace_context

_tracer = trace.get_tracer(__name__)


class PublishFailed(RuntimeError):
    """A channel did not accept the event; the caller's message is retried, so nothing is lost."""


class PublishChannel(Protocol):
    name: str

    def deliver(self, event: BaseCloudEvent, body: str) -> None:
        """Hand the serialized event to the channel; raise when it is not accepted."""


@runtime_checkable
class BatchPublishChannel(PublishChannel, Protocol):
    def deliver_batch(self, entries: Sequence[tuple[BaseCloudEvent, str]]) -> SendOutcomes:
        """Hand each serialized event to the channel in as few calls as it allows; per entry, in
        order, None when accepted, else the error. Never raises for an entry's failure."""


@dataclass(frozen=True)
class Publication:
    """One event of :meth:`CloudEventPublisher.publish_batch`; its PRODUCER span is a child of
    ``context`` (the current one if None)."""

    event: BaseCloudEvent
    context: Context | None = None


class SnsChannel:
    """An SNS topic; subscriptions use raw message delivery, so queues receive ``body`` itself."""

    name = semconv.SNS_SYSTEM

    def __init__(self, sns_client: Any, topic_arn: str) -> None:
        self._sns = sns_client
        self._topic_arn = topic_arn

    def deliver(self, event: BaseCloudEvent, body: str) -> None:
        self._sns.publish(TopicArn=self._topic_arn, Message=body)

    def deliver_batch(self, entries: Sequence[tuple[BaseCloudEvent, str]]) -> SendOutcomes:
        return send_in_batches(entries, lambda entry: utf8_size(entry[1]), self._publish_batch)

    def _publish_batch(self, batch: list[tuple[BaseCloudEvent, str]]) -> SendOutcomes:
        requests = [{"Id": f"m{index}", "Message": body} for index, (_, body) in enumerate(batch)]
        with _batch_call_span(f"publish batch {self._topic_arn.rsplit(':', 1)[-1]}", self.name, batch):
            response = self._sns.publish_batch(TopicArn=self._topic_arn, PublishBatchRequestEntries=requests)
        refused = {
            int(failed["Id"][1:]): BatchEntryRefused(str(failed.get("Code")), str(failed.get("Message")))
            for failed in response.get("Failed") or []
        }
        return [refused.get(index) for index in range(len(batch))]


class EventBridgeChannel:
    """A custom event bus; rules match on ``source`` and ``detail-type`` (the CloudEvent type)."""

    name = semconv.EVENTBRIDGE_SYSTEM

    def __init__(self, events_client: Any, bus_name: str, source: str) -> None:
        self._events = events_client
        self._bus_name = bus_name
        self._source = source

    def deliver(self, event: BaseCloudEvent, body: str) -> None:
        response = self._events.put_events(Entries=[self._entry(event, body)])
        # PutEvents reports rejected entries in the response, not as an error.
        if response.get("FailedEntryCount"):
            failure = (response.get("Entries") or [{}])[0]
            raise PublishFailed(
                f"EventBridge bus {self._bus_name} rejected event {event.get_id()}: "
                f"{failure.get('ErrorCode')}: {failure.get('ErrorMessage')}"
            )

    def deliver_batch(self, entries: Sequence[tuple[BaseCloudEvent, str]]) -> SendOutcomes:
        # An entry's size as PutEvents counts it: source, detail type and detail.
        def size_of(entry: tuple[BaseCloudEvent, str]) -> int:
            return utf8_size(self._source) + utf8_size(entry[0].get_type()) + utf8_size(entry[1])

        return send_in_batches(entries, size_of, self._put_events)

    def _put_events(self, batch: list[tuple[BaseCloudEvent, str]]) -> SendOutcomes:
        with _batch_call_span(f"put events {self._bus_name}", self.name, batch):
            response = self._events.put_events(Entries=[self._entry(event, body) for event, body in batch])
        # Its result entries are in the order of the request's.
        results = response.get("Entries") or []
        outcomes: SendOutcomes = [
            BatchEntryRefused(str(result.get("ErrorCode")), str(result.get("ErrorMessage")))
            if result.get("ErrorCode")
            else None
            for result in results
        ]
        missing = BatchEntryRefused("NoResult", "PutEvents returned no result for it")
        return outcomes + [missing] * (len(batch) - len(results))

    def _entry(self, event: BaseCloudEvent, body: str) -> dict[str, str]:
        return {"EventBusName": self._bus_name, "Source": self._source, "DetailType": event.get_type(), "Detail": body}


class CloudEventPublisher:
    """Publishes each event to every configured channel, inside one PRODUCER span."""

    def __init__(self, channels: Sequence[PublishChannel], destination_name: str) -> None:
        if not channels:
            raise ValueError("a publisher needs at least one channel")
        self._channels = tuple(channels)
        self._destination_name = destination_name

    @property
    def channel_names(self) -> tuple[str, ...]:
        return tuple(channel.name for channel in self._channels)

    def publish(self, event: BaseCloudEvent) -> BaseCloudEvent:
        """Publish ``event``; returns it as sent (with trace context). Raises if any channel fails."""
        with _tracer.start_as_current_span(
            self._span_name(event), kind=SpanKind.PRODUCER, attributes=self._span_attributes(event)
        ):
            traced = with_current_trace_context(event)
            body = to_json(traced)
            for channel in self._channels:
                channel.deliver(traced, body)
            return traced

    def publish_batch(self, publications: Sequence[Publication]) -> SendOutcomes:
        """Publish each event as :meth:`publish` does, in its own PRODUCER span whose context it
        carries, but in batch calls per channel (PublishBatch, PutEvents; one call per event for a
        channel without them). An event refused by one channel is not handed to the next.

        Returns per event, in order, None when every channel accepted it, else the first error.
        """
        spans: list[Span] = []
        entries: list[tuple[BaseCloudEvent, str]] = []
        for publication in publications:
            event = publication.event
            span = _tracer.start_span(
                self._span_name(event),
                context=publication.context,
                kind=SpanKind.PRODUCER,
                attributes=self._span_attributes(event),
            )
            with trace.use_span(span, end_on_exit=False):
                traced = with_current_trace_context(event)
            spans.append(span)
            entries.append((traced, to_json(traced)))
        outcomes: SendOutcomes = [None] * len(entries)
        for channel in self._channels:
            still_going = [index for index, outcome in enumerate(outcomes) if outcome is None]
            delivered = _deliver_all(channel, [entries[index] for index in still_going])
            for index, outcome in zip(still_going, delivered, strict=True):
                outcomes[index] = outcome
        for span, outcome in zip(spans, outcomes, strict=True):
            if outcome is not None:
                span.record_exception(outcome)
                span.set_status(Status(StatusCode.ERROR, f"{type(outcome).__name__}: {outcome}"))
            span.end()
        return outcomes

    def _span_name(self, event: BaseCloudEvent) -> str:
        return f"publish {EventType.parse(event.get_type()).name}"

    def _span_attributes(self, event: BaseCloudEvent) -> dict[str, Any]:
        return {
            semconv.MESSAGING_SYSTEM: "+".join(self.channel_names),
            semconv.MESSAGING_OPERATION_TYPE: "send",
            semconv.MESSAGING_OPERATION_NAME: "publish",
            semconv.MESSAGING_DESTINATION_NAME: self._destination_name,
            semconv.CLOUDEVENTS_EVENT_ID: event.get_id(),
            semconv.CLOUDEVENTS_EVENT_TYPE: event.get_type(),
            semconv.CLOUDEVENTS_EVENT_SUBJECT: event.get_subject() or "",
        }


def _batch_call_span(name: str, system: str, batch: list[tuple[BaseCloudEvent, str]]) -> AbstractContextManager[Span]:
    """The batch call's own span, linked to each event's PRODUCER span (whose context it carries)."""
    members = [producer_span_context(event) for event, _ in batch]
    return batch_call_span(name, members, attributes={semconv.MESSAGING_SYSTEM: system})


def _deliver_all(channel: PublishChannel, entries: Sequence[tuple[BaseCloudEvent, str]]) -> SendOutcomes:
    if not entries:
        return []
    if isinstance(channel, BatchPublishChannel):
        return channel.deliver_batch(entries)
    outcomes: SendOutcomes = []
    for event, body in entries:
        try:
            channel.deliver(event, body)
            outcomes.append(None)
        except Exception as error:
            outcomes.append(error)
    return outcomes
