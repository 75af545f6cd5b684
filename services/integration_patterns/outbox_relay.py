"""The transactional outbox, relay side: send each pending event from the table's stream.

Triggered by the stream (its filter passes only writes that stored events, see :mod:`outbox`), the
relay sends every event still pending in the record's new image through the route its
``destination`` names, inside the trace its writer stored, then removes it from the item.

Failure semantics. Records are relayed in stream order, and the first failure stops the batch
and fails the invocation: the stream retries the batch (bisecting it where the trigger allows), so
an event is never skipped and a later event of the same item never overtakes an earlier one. A
retried batch re-sends what had already gone out, and a replayed record re-sends its events: event
ids are stable, so consumers' inboxes (or create-once writes) absorb the copies.

Why not Powertools' BatchProcessor with partial batch responses: it goes on after a failed record,
which would let an item's later events overtake the failed one; and MiniStack, the embedded
emulator, drops records reported in ``batchItemFailures`` instead of retrying them. Failing the
invocation is correct on both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord, DynamoDBStreamEvent
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError
from cloudevents.core.base import BaseCloudEvent
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from integration_patterns import outbox, semconv
from integration_patterns.cloudevents_envelope import EventType, from_json
from integration_patterns.dynamodb_writes import is_conditional_check_failure
from integration_patterns.runtime import utc_now

# Sends one event; ``delivery`` holds what the route needs besides it. Raises when it fails.
OutboxRoute = Callable[[BaseCloudEvent, Mapping[str, str]], None]

OUTBOX_DESTINATION = "messaging.outbox.destination"
OUTBOX_WAIT_MS = "messaging.outbox.wait_ms"

_tracer = trace.get_tracer(__name__)
_serializer = TypeSerializer()
_W3C = TraceContextTextMapPropagator()


class OutboxRelayFailed(RuntimeError):
    """An event could not be sent; the stream retries the record, so it stays pending, not lost."""


@dataclass(frozen=True)
class PendingEvent:
    """One outbox entry as the stream record's new image shows it."""

    key: dict[str, Any]
    event_id: str
    destination: str
    event_json: str
    delivery: dict[str, str]
    trace_context: dict[str, str]
    stored_at: datetime
    position: int


def pending_events(record: DynamoDBRecord) -> list[PendingEvent]:
    """The events the record's new image still holds, in the order they were stored."""
    stream_record = record.dynamodb
    image = stream_record.new_image if stream_record else {}
    if not stream_record or not image.get(outbox.PENDING_FLAG):
        return []
    key = stream_record.keys
    entries = [pending_event(key, event_id, entry) for event_id, entry in (image.get(outbox.OUTBOX) or {}).items()]
    return sorted(entries, key=lambda pending: (pending.stored_at, pending.position))


def pending_event(key: dict[str, Any], event_id: str, entry: Mapping[str, Any]) -> PendingEvent:
    """One entry of an item's ``outbox`` map (attribute values deserialized), as a pending event."""
    return PendingEvent(
        key=key,
        event_id=event_id,
        destination=str(entry[outbox.DESTINATION]),
        event_json=str(entry[outbox.EVENT]),
        delivery={name: str(value) for name, value in (entry.get(outbox.DELIVERY) or {}).items()},
        trace_context={name: str(value) for name, value in (entry.get(outbox.TRACE_CONTEXT) or {}).items()},
        stored_at=datetime.fromisoformat(str(entry[outbox.STORED_AT])),
        position=int(entry.get(outbox.POSITION, 0)),
    )


class OutboxRelay:
    """Sends the pending events of one table's stream records, then marks them published."""

    def __init__(
        self,
        dynamodb_client: Any,
        table_name: str,
        routes: Mapping[str, OutboxRoute],
        logger: Logger,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._dynamodb = dynamodb_client
        self._table = table_name
        self._routes = dict(routes)
        self._logger = logger
        self._now = now

    def process(self, event: Mapping[str, Any]) -> int:
        """Relay every pending event of the batch; returns how many were sent. Raises on the first failure."""
        sent = 0
        for pending in self._pending_in(DynamoDBStreamEvent(dict(event))):
            self.relay(pending)
            sent += 1
        return sent

    @staticmethod
    def _pending_in(stream_event: DynamoDBStreamEvent) -> Iterator[PendingEvent]:
        for record in stream_event.records:
            yield from pending_events(record)

    def relay(self, pending: PendingEvent) -> None:
        """Send one pending event inside the trace that stored it, then remove it from the item."""
        waited_ms = (self._now() - pending.stored_at).total_seconds() * 1000
        with _tracer.start_as_current_span(
            "outbox relay",
            context=_W3C.extract(pending.trace_context),
            attributes={
                OUTBOX_DESTINATION: pending.destination,
                OUTBOX_WAIT_MS: round(waited_ms, 1),
                semconv.CLOUDEVENTS_EVENT_ID: pending.event_id,
            },
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                event = from_json(pending.event_json)
                span.update_name(f"outbox relay {EventType.parse(event.get_type()).name}")
                span.set_attribute(semconv.CLOUDEVENTS_EVENT_TYPE, event.get_type())
                span.set_attribute(semconv.CLOUDEVENTS_EVENT_SUBJECT, event.get_subject() or "")
                self._route_for(pending.destination)(event, pending.delivery)
            except Exception as error:
                span.record_exception(error)
                span.set_status(Status(StatusCode.ERROR, str(error)))
                self._logger.exception(
                    "Outbox event not sent; the stream retries it",
                    event_id=pending.event_id,
                    destination=pending.destination,
                )
                raise OutboxRelayFailed(f"outbox event {pending.event_id} to {pending.destination} failed") from error
            self._mark_published(pending)

    def _route_for(self, destination: str) -> OutboxRoute:
        route = self._routes.get(destination)
        if route is None:
            raise OutboxRelayFailed(f"no route for outbox destination {destination!r}")
        return route

    def _mark_published(self, pending: PendingEvent) -> None:
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={name: _serializer.serialize(value) for name, value in pending.key.items()},
                # Removing the flag keeps this write out of the stream filter. An event stored by a
                # later write is still in the map; that write's own stream record carries it.
                UpdateExpression="REMOVE #outbox.#event, #pending",
                ConditionExpression="attribute_exists(#outbox.#event)",
                ExpressionAttributeNames={
                    "#outbox": outbox.OUTBOX,
                    "#event": pending.event_id,
                    "#pending": outbox.PENDING_FLAG,
                },
            )
        except ClientError as error:
            if not is_conditional_check_failure(error):  # already gone: a replayed or retried record
                raise
