"""Sending CloudEvents to an SQS queue, with a PRODUCER span and trace context in attributes."""

from __future__ import annotations

from typing import Any

from cloudevents.core.base import BaseCloudEvent
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from integration_patterns import semconv
from integration_patterns.cloudevents_envelope import CORRELATION_ID, optional_extension, to_json
from integration_patterns.tracing import inject_into_sqs_attributes

_tracer = trace.get_tracer(__name__)


class SqsCloudEventSender:
    """Sends structured CloudEvents to one queue.

    FIFO queues (URL ending in ``.fifo``) need a message group; the deduplication id defaults to
    the event id, so a producer retry of the same event is dropped by SQS itself.
    """

    def __init__(self, sqs_client: Any, queue_url: str) -> None:
        self._sqs = sqs_client
        self._queue_url = queue_url
        self._queue_name = semconv.queue_name_from_url(queue_url)
        self.is_fifo = self._queue_name.endswith(".fifo")

    @property
    def queue_url(self) -> str:
        return self._queue_url

    def send(
        self,
        event: BaseCloudEvent,
        *,
        group_id: str | None = None,
        deduplication_id: str | None = None,
    ) -> str:
        """Send ``event``; returns the SQS message id. Errors propagate to the caller."""
        attributes = {
            semconv.MESSAGING_SYSTEM: semconv.SQS_SYSTEM,
            semconv.MESSAGING_OPERATION_TYPE: "send",
            semconv.MESSAGING_OPERATION_NAME: "send",
            semconv.MESSAGING_DESTINATION_NAME: self._queue_name,
            semconv.CLOUDEVENTS_EVENT_ID: event.get_id(),
            semconv.CLOUDEVENTS_EVENT_TYPE: event.get_type(),
        }
        correlation_id = optional_extension(event, CORRELATION_ID)
        if correlation_id:
            attributes[semconv.MESSAGING_CONVERSATION_ID] = correlation_id
        with _tracer.start_as_current_span(
            f"send {self._queue_name}", kind=SpanKind.PRODUCER, attributes=attributes
        ) as span:
            request: dict[str, Any] = {"QueueUrl": self._queue_url, "MessageBody": to_json(event)}
            message_attributes: dict[str, Any] = {}
            inject_into_sqs_attributes(message_attributes)
            if message_attributes:
                request["MessageAttributes"] = message_attributes
            if self.is_fifo:
                if not group_id:
                    raise ValueError(f"queue {self._queue_name} is FIFO: a message group id is required")
                request["MessageGroupId"] = group_id
                request["MessageDeduplicationId"] = deduplication_id or event.get_id()
            message_id: str = self._sqs.send_message(**request)["MessageId"]
            span.set_attribute(semconv.MESSAGING_MESSAGE_ID, message_id)
            return message_id
