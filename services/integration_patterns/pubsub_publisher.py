"""Publishing a CloudEvent to subscribers through SNS, EventBridge, or both.

One PRODUCER span covers the publication, and its context goes into the event (``traceparent``),
so every subscriber can link its own trace to it whichever channel delivered its copy. Both
channels get the same event with the same id: a subscriber fed by both processes it once (inbox).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from cloudevents.core.base import BaseCloudEvent
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from integration_patterns import semconv
from integration_patterns.cloudevents_envelope import EventType, to_json
from integration_patterns.event_tracing import with_current_trace_context

_tracer = trace.get_tracer(__name__)


class PublishFailed(RuntimeError):
    """A channel did not accept the event; the caller's message is retried, so nothing is lost."""


class PublishChannel(Protocol):
    name: str

    def deliver(self, event: BaseCloudEvent, body: str) -> None:
        """Hand the serialized event to the channel; raise when it is not accepted."""


class SnsChannel:
    """An SNS topic; subscriptions use raw message delivery, so queues receive ``body`` itself."""

    name = semconv.SNS_SYSTEM

    def __init__(self, sns_client: Any, topic_arn: str) -> None:
        self._sns = sns_client
        self._topic_arn = topic_arn

    def deliver(self, event: BaseCloudEvent, body: str) -> None:
        self._sns.publish(TopicArn=self._topic_arn, Message=body)


class EventBridgeChannel:
    """A custom event bus; rules match on ``source`` and ``detail-type`` (the CloudEvent type)."""

    name = semconv.EVENTBRIDGE_SYSTEM

    def __init__(self, events_client: Any, bus_name: str, source: str) -> None:
        self._events = events_client
        self._bus_name = bus_name
        self._source = source

    def deliver(self, event: BaseCloudEvent, body: str) -> None:
        entry = {"EventBusName": self._bus_name, "Source": self._source, "DetailType": event.get_type(), "Detail": body}
        response = self._events.put_events(Entries=[entry])
        # PutEvents reports rejected entries in the response, not as an error.
        if response.get("FailedEntryCount"):
            failure = (response.get("Entries") or [{}])[0]
            raise PublishFailed(
                f"EventBridge bus {self._bus_name} rejected event {event.get_id()}: "
                f"{failure.get('ErrorCode')}: {failure.get('ErrorMessage')}"
            )


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
        attributes = {
            semconv.MESSAGING_SYSTEM: "+".join(self.channel_names),
            semconv.MESSAGING_OPERATION_TYPE: "send",
            semconv.MESSAGING_OPERATION_NAME: "publish",
            semconv.MESSAGING_DESTINATION_NAME: self._destination_name,
            semconv.CLOUDEVENTS_EVENT_ID: event.get_id(),
            semconv.CLOUDEVENTS_EVENT_TYPE: event.get_type(),
            semconv.CLOUDEVENTS_EVENT_SUBJECT: event.get_subject() or "",
        }
        span_name = f"publish {EventType.parse(event.get_type()).name}"
        with _tracer.start_as_current_span(span_name, kind=SpanKind.PRODUCER, attributes=attributes):
            traced = with_current_trace_context(event)
            body = to_json(traced)
            for channel in self._channels:
                channel.deliver(traced, body)
            return traced
