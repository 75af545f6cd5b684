"""Sending CloudEvents to an SQS queue, with a PRODUCER span and trace context in attributes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cloudevents.core.base import BaseCloudEvent
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from integration_patterns import semconv
from integration_patterns.batch_sends import (
    MAX_BATCH_ENTRIES,
    BatchEntryRefused,
    SendOutcomes,
    send_in_batches,
    utf8_size,
)
from integration_patterns.cloudevents_envelope import CORRELATION_ID, optional_extension, to_json
from integration_patterns.event_tracing import batch_call_span
from integration_patterns.tracing import inject_into_sqs_attributes

_tracer = trace.get_tracer(__name__)


@dataclass(frozen=True)
class QueueMessage:
    """One event of a batch send; its PRODUCER span is a child of ``context`` (the current one if None)."""

    event: BaseCloudEvent
    group_id: str | None = None
    deduplication_id: str | None = None
    context: Context | None = None


@dataclass
class _BatchEntry:
    message: QueueMessage
    span: Span
    request: dict[str, Any]
    size: int


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
        with _tracer.start_as_current_span(
            f"send {self._queue_name}", kind=SpanKind.PRODUCER, attributes=self._span_attributes(event)
        ) as span:
            request = {"QueueUrl": self._queue_url, **self._message(event, group_id, deduplication_id, None)}
            message_id: str = self._sqs.send_message(**request)["MessageId"]
            span.set_attribute(semconv.MESSAGING_MESSAGE_ID, message_id)
            return message_id

    def send_batch(self, messages: Sequence[QueueMessage], max_entries: int = MAX_BATCH_ENTRIES) -> SendOutcomes:
        """Send ``messages`` with SendMessageBatch, up to ``max_entries`` (and 256 KiB) a call, each in
        its own PRODUCER span whose context its message carries, as :meth:`send` does.

        Returns per message, in order, None when it was sent or the error that kept it back (a
        refused entry, or the failed call of its batch); it never raises for a message's failure.
        """
        entries: list[_BatchEntry | Exception] = [self._batch_entry(message) for message in messages]
        ready = [entry for entry in entries if isinstance(entry, _BatchEntry)]
        sent = iter(send_in_batches(ready, lambda entry: entry.size, self._send_batch, max_entries))
        outcomes: SendOutcomes = []
        for entry in entries:
            if isinstance(entry, Exception):
                outcomes.append(entry)
                continue
            outcome = next(sent)
            if outcome is not None:
                entry.span.record_exception(outcome)
                entry.span.set_status(Status(StatusCode.ERROR, str(outcome)))
            entry.span.end()
            outcomes.append(outcome)
        return outcomes

    def _batch_entry(self, message: QueueMessage) -> _BatchEntry | Exception:
        span = _tracer.start_span(
            f"send {self._queue_name}",
            context=message.context,
            kind=SpanKind.PRODUCER,
            attributes=self._span_attributes(message.event),
        )
        try:
            request = self._message(
                message.event, message.group_id, message.deduplication_id, trace.set_span_in_context(span)
            )
        except Exception as error:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, str(error)))
            span.end()
            return error
        size = utf8_size(request["MessageBody"]) + sum(
            utf8_size(name) + utf8_size(value["DataType"]) + utf8_size(value["StringValue"])
            for name, value in request.get("MessageAttributes", {}).items()
        )
        return _BatchEntry(message, span, request, size)

    def _send_batch(self, batch: list[_BatchEntry]) -> SendOutcomes:
        requests = [{"Id": f"m{index}", **entry.request} for index, entry in enumerate(batch)]
        with batch_call_span(
            f"send batch {self._queue_name}",
            [entry.span.get_span_context() for entry in batch],
            attributes={
                semconv.MESSAGING_SYSTEM: semconv.SQS_SYSTEM,
                semconv.MESSAGING_DESTINATION_NAME: self._queue_name,
            },
        ):
            response = self._sqs.send_message_batch(QueueUrl=self._queue_url, Entries=requests)
        for done in response.get("Successful") or []:
            batch[int(done["Id"][1:])].span.set_attribute(semconv.MESSAGING_MESSAGE_ID, done["MessageId"])
        refused = {
            int(failed["Id"][1:]): BatchEntryRefused(str(failed.get("Code")), str(failed.get("Message")))
            for failed in response.get("Failed") or []
        }
        return [refused.get(index) for index in range(len(batch))]

    def _span_attributes(self, event: BaseCloudEvent) -> dict[str, Any]:
        attributes: dict[str, Any] = {
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
        return attributes

    def _message(
        self, event: BaseCloudEvent, group_id: str | None, deduplication_id: str | None, context: Context | None
    ) -> dict[str, Any]:
        """The message's part of a request: body, the producer span's context, the FIFO fields."""
        request: dict[str, Any] = {"MessageBody": to_json(event)}
        message_attributes: dict[str, Any] = {}
        inject_into_sqs_attributes(message_attributes, context)
        if message_attributes:
            request["MessageAttributes"] = message_attributes
        if self.is_fifo:
            if not group_id:
                raise ValueError(f"queue {self._queue_name} is FIFO: a message group id is required")
            request["MessageGroupId"] = group_id
            request["MessageDeduplicationId"] = deduplication_id or event.get_id()
        return request
