"""The transactional outbox, relay side: send each pending event from the table's stream.

Triggered by the stream (its filter passes only writes that stored events, see :mod:`outbox`), the
relay sends every event still pending in the batch's new images through the route its
``destination`` names, inside the trace its writer stored, then removes it from the item.

Throughput. The batch goes out in rounds: each round takes the first unsent event of every item
(see ordering below) and hands them to their routes together, which send them in batch calls (10
to a call: SendMessageBatch, PublishBatch, PutEvents); a round's calls go out side by side. Once
every round is out, the items' sent events are marked published: one conditional PartiQL UPDATE
per item, 25 items to a BatchExecuteStatement call (its IAM action is ``dynamodb:PartiQLUpdate``),
the calls side by side too, so no mark waits on another's call. The threads are a small pool built
once per cold start. One call for 25 marks, not 25 UpdateItem calls, is what makes it fast where
each call costs (on the emulator).

Ordering. An item's events go out in their order: the next one is handed to its route only once
the one before it was accepted. An event whose delivery names a message group (a FIFO queue) is
ordered behind the earlier events of that group too, whichever item they came from. Events of
different items and groups may pass each other, as they would on a stream read with a
``ParallelizationFactor``.

Failure semantics. An event that could not be sent (refused by its route, its batch call failed,
unreadable, no route for its destination) is not marked, and neither is any later event of its
item (or group): those are not even sent. The other items' events still go out. Once every round
and every mark is done, the invocation fails if anything failed (the earliest failure, in stream
order, is raised; a failed mark fails it too), so the stream retries the batch (bisecting it where
the trigger allows): an event is never skipped and never marked before it was sent. A retried
batch re-sends what had already gone out, and a replayed record re-sends its events (their marks
find them gone and do nothing): event ids are stable, so consumers' inboxes (or create-once
writes) absorb the copies. An event too large for its channel is refused, hence retried, like any
other refusal (large events travel as claim checks before they reach the outbox).

Why not Powertools' BatchProcessor with partial batch responses: a record holds several items'
events, a checkpoint would have to stop at the first failed record anyway, and MiniStack, the
embedded emulator, drops records reported in ``batchItemFailures`` instead of retrying them.
Failing the invocation is correct on both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord, DynamoDBStreamEvent
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError
from cloudevents.core.base import BaseCloudEvent
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from integration_patterns import outbox, semconv
from integration_patterns.batch_sends import MAX_BATCH_ENTRIES, SendOutcomes
from integration_patterns.cloudevents_envelope import EventType, from_json
from integration_patterns.dynamodb_writes import is_conditional_check_failure
from integration_patterns.event_tracing import batch_call_span
from integration_patterns.runtime import utc_now


@dataclass(frozen=True)
class Outgoing:
    """One event a route is handed: its delivery as stored, and the relay span's ``context``, the
    parent of the route's own spans (so the event's trace continues the writer's)."""

    event: BaseCloudEvent
    delivery: Mapping[str, str]
    context: Context


# Sends the events it is handed (of one destination, at most one per item); returns per event, in
# order, None when it was sent, else the error that kept it back. Never raises for an event's failure.
OutboxRoute = Callable[[Sequence[Outgoing]], SendOutcomes]

# A delivery naming a message group orders the event behind its group's earlier events too.
MESSAGE_GROUP_ID = "messageGroupId"
OUTBOX_DESTINATION = "messaging.outbox.destination"
OUTBOX_WAIT_MS = "messaging.outbox.wait_ms"

# BatchExecuteStatement's limit: the marks of up to 25 items go in one call.
MARKS_PER_CALL = 25
# Threads sending a round's batch calls and marking sent events published, built once per cold
# start (they share the cold start's clients, whose connection pools hold 10).
WORKERS = 8

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
        *,
        max_batch: int = MAX_BATCH_ENTRIES,
        workers: int = WORKERS,
    ) -> None:
        """``max_batch`` caps the events handed to a route at once. ``workers`` 0 sends one call after
        another and marks each sent event by its own UpdateItem before the next send (with
        ``max_batch`` 1: one event at a time, the relay as it was before batching, kept as the
        benchmark's baseline)."""
        self._dynamodb = dynamodb_client
        self._table = table_name
        self._routes = dict(routes)
        self._logger = logger
        self._now = now
        self._max_batch = max_batch
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="outbox-relay") if workers else None

    def process(self, event: Mapping[str, Any]) -> int:
        """Relay every pending event of the batch; returns how many were sent. Raises, once all is
        done, the earliest failure in stream order (see the module's failure semantics)."""
        rounds = _Rounds(list(self._pending_in(DynamoDBStreamEvent(dict(event)))))
        failures: dict[int, BaseException] = {}
        sent: dict[tuple[str, ...], list[_Sent]] = {}
        marks: list[tuple[int, Future[None]]] = []
        while taken := rounds.next_round():
            for indexes, outcomes in self._send_round(rounds, taken):
                for index, (span, error) in zip(indexes, outcomes, strict=True):
                    if error is not None:
                        failures[index] = error
                        rounds.failed(index)
                        continue
                    done = _Sent(index, rounds.event(index), span)
                    sent.setdefault(_item_key(done.pending), []).append(done)
                    if self._pool is None:  # one at a time: marked before the next send
                        marks.append((index, _run_now(self._mark_and_end, [done])))
        if self._pool is not None:
            marks.extend(self._mark_later(self._pool, list(sent.values())))
        for index, mark in marks:
            if (mark_error := mark.exception()) is not None:
                failures.setdefault(index, mark_error)
        if failures:
            raise failures[min(failures)]
        return sum(map(len, sent.values()))

    def _send_round(
        self, rounds: _Rounds, taken: list[int]
    ) -> Iterator[tuple[list[int], list[tuple[Span, OutboxRelayFailed | None]]]]:
        """Each batch of the round, and its outcomes. The round's events share no item or group, so
        its batches go out side by side on the pool (one after another without one)."""
        chunks = list(_chunks_by_destination(rounds, taken, self._max_batch))
        if self._pool is None or len(chunks) == 1:
            for destination, indexes in chunks:
                yield indexes, self._send(destination, rounds.events(indexes))
            return
        pool = self._pool
        sending = [
            (indexes, pool.submit(self._send, destination, rounds.events(indexes))) for destination, indexes in chunks
        ]
        for indexes, outcomes in sending:
            yield indexes, outcomes.result()

    def _mark_later(self, pool: ThreadPoolExecutor, items: list[list[_Sent]]) -> Iterator[tuple[int, Future[None]]]:
        """The items' marks, 25 to a call, the calls on the pool: no mark waits on another's call."""
        for first in range(0, len(items), MARKS_PER_CALL):
            some = items[first : first + MARKS_PER_CALL]
            yield some[0][0].index, pool.submit(self._mark_items, some)

    @staticmethod
    def _pending_in(stream_event: DynamoDBStreamEvent) -> Iterator[PendingEvent]:
        for record in stream_event.records:
            yield from pending_events(record)

    def _send(self, destination: str, batch: list[PendingEvent]) -> list[tuple[Span, OutboxRelayFailed | None]]:
        """Send one destination's events, each inside its own relay span (in the trace that stored
        it); per event, its span and None when it was sent, else the failure (its span then ended)."""
        spans = [self._relay_span(pending) for pending in batch]
        outcomes: SendOutcomes = [None] * len(batch)
        outgoing: list[tuple[int, Outgoing]] = []
        for index, (pending, span) in enumerate(zip(batch, spans, strict=True)):
            try:
                outgoing.append((index, Outgoing(self._parsed(pending, span), pending.delivery, _context_of(span))))
            except Exception as error:
                outcomes[index] = error
        for (index, _), outcome in zip(outgoing, self._route(destination, [o for _, o in outgoing]), strict=True):
            outcomes[index] = outcome
        return [
            (span, None if error is None else self._failed(pending, span, error))
            for pending, span, error in zip(batch, spans, outcomes, strict=True)
        ]

    def _relay_span(self, pending: PendingEvent) -> Span:
        waited_ms = (self._now() - pending.stored_at).total_seconds() * 1000
        return _tracer.start_span(
            "outbox relay",
            context=_W3C.extract(pending.trace_context),
            attributes={
                OUTBOX_DESTINATION: pending.destination,
                OUTBOX_WAIT_MS: round(waited_ms, 1),
                semconv.CLOUDEVENTS_EVENT_ID: pending.event_id,
            },
        )

    @staticmethod
    def _parsed(pending: PendingEvent, span: Span) -> BaseCloudEvent:
        event = from_json(pending.event_json)
        span.update_name(f"outbox relay {EventType.parse(event.get_type()).name}")
        span.set_attribute(semconv.CLOUDEVENTS_EVENT_TYPE, event.get_type())
        span.set_attribute(semconv.CLOUDEVENTS_EVENT_SUBJECT, event.get_subject() or "")
        return event

    def _route(self, destination: str, outgoing: list[Outgoing]) -> SendOutcomes:
        if not outgoing:
            return []
        route = self._routes.get(destination)
        if route is None:
            return [OutboxRelayFailed(f"no route for outbox destination {destination!r}")] * len(outgoing)
        try:
            outcomes = route(outgoing)
        except Exception as error:  # a route reports failures; one that raises sent nothing known
            return [error] * len(outgoing)
        if len(outcomes) != len(outgoing):
            raise RuntimeError(f"route {destination!r} answered {len(outcomes)} outcomes for {len(outgoing)} events")
        return outcomes

    def _failed(self, pending: PendingEvent, span: Span, error: Exception) -> OutboxRelayFailed:
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, str(error)))
        with trace.use_span(span, end_on_exit=True):
            self._logger.error(
                "Outbox event not sent; the stream retries it",
                event_id=pending.event_id,
                destination=pending.destination,
                exc_info=error,
            )
        failure = OutboxRelayFailed(f"outbox event {pending.event_id} to {pending.destination} failed")
        failure.__cause__ = error
        return failure

    def _mark_and_end(self, events: list[_Sent]) -> None:
        try:
            self._mark_published(events)
        finally:
            for sent in events:
                sent.span.end()

    def _mark_items(self, items: list[list[_Sent]]) -> None:
        """Mark each item's sent events published: one PartiQL UPDATE per item, all in one
        BatchExecuteStatement, each applied only while all its events are there. An item whose
        statement did not apply (some already gone, throttled, refused) is then marked by
        :meth:`_mark_published`, whose condition and errors are those of a mark on its own.
        Raises the first failure of those."""
        try:
            try:
                statements = [self._mark_statement(events) for events in items]
                marked = [sent.span.get_span_context() for events in items for sent in events]
                with batch_call_span("outbox mark published", marked, kind=SpanKind.INTERNAL):
                    responses = self._dynamodb.batch_execute_statement(Statements=statements)["Responses"]
            except ClientError:
                responses = [{"Error": "the call failed"}] * len(items)
            failures: list[Exception] = []
            for events, response in zip(items, responses, strict=True):
                if "Error" in response:
                    try:
                        self._mark_published(events)
                    except Exception as error:
                        failures.append(error)
            if failures:
                raise failures[0]
        finally:
            for events in items:
                for sent in events:
                    sent.span.end()

    def _mark_statement(self, events: list[_Sent]) -> dict[str, Any]:
        key = events[0].pending.key
        entries = [f"{_quoted(outbox.OUTBOX)}.{_quoted(sent.pending.event_id)}" for sent in events]
        removes = " ".join(f"REMOVE {path}" for path in [*entries, _quoted(outbox.PENDING_FLAG)])
        where = " AND ".join([*(f"{_quoted(name)} = ?" for name in key), *(f"{e} IS NOT MISSING" for e in entries)])
        return {
            "Statement": f"UPDATE {_quoted(self._table)} {removes} WHERE {where}",
            "Parameters": [_serializer.serialize(value) for value in key.values()],
        }

    def _mark_published(self, events: list[_Sent]) -> None:
        """Remove one item's sent events from its outbox, inside the first one's relay span."""
        token = otel_context.attach(_context_of(events[0].span))
        names = {f"#event{n}": sent.pending.event_id for n, sent in enumerate(events)}
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={name: _serializer.serialize(value) for name, value in events[0].pending.key.items()},
                # Removing the flag keeps this write out of the stream filter. An event stored by a
                # later write is still in the map; that write's own stream record carries it.
                UpdateExpression="REMOVE " + ", ".join([*(f"#outbox.{name}" for name in names), "#pending"]),
                # Only while one of them is still there: never recreates a deleted item.
                ConditionExpression=" OR ".join(f"attribute_exists(#outbox.{name})" for name in names),
                ExpressionAttributeNames={"#outbox": outbox.OUTBOX, "#pending": outbox.PENDING_FLAG, **names},
            )
        except ClientError as error:
            if not is_conditional_check_failure(error):  # all gone already: a replayed or retried record
                raise
        finally:
            otel_context.detach(token)


@dataclass(frozen=True)
class _Sent:
    """An event that went out: its place in the batch, and its relay span (open until it is marked)."""

    index: int
    pending: PendingEvent
    span: Span


def _run_now(mark: Callable[[list[_Sent]], None], events: list[_Sent]) -> Future[None]:
    """``mark(events)`` run now, as a finished future."""
    done: Future[None] = Future()
    try:
        mark(events)
        done.set_result(None)
    except Exception as error:
        done.set_exception(error)
    return done


class _Rounds:
    """A batch's pending events in stream order (each event once), handed out in rounds such that
    no event passes an earlier one of its item, or of its message group."""

    def __init__(self, events: list[PendingEvent]) -> None:
        first_seen: dict[tuple[tuple[str, ...], str], PendingEvent] = {}
        for pending in events:
            first_seen.setdefault((_item_key(pending), pending.event_id), pending)
        self._events = list(first_seen.values())
        self._keys = [_ordering_keys(pending) for pending in self._events]
        self._waiting = list(range(len(self._events)))
        # Per ordering key, the earliest event of it that failed or was held back: later ones wait.
        self._held: dict[tuple[str, ...], int] = {}

    def event(self, index: int) -> PendingEvent:
        return self._events[index]

    def events(self, indexes: list[int]) -> list[PendingEvent]:
        return [self._events[index] for index in indexes]

    def next_round(self) -> list[int]:
        """The first waiting event of each ordering key, unless one of its keys is held; the events
        behind a held key are dropped (not sent: the retried batch brings them again)."""
        taken: list[int] = []
        waiting: list[int] = []
        seen: set[tuple[str, ...]] = set()
        for index in self._waiting:
            keys = self._keys[index]
            if any(self._held.get(key, index) < index for key in keys):
                self.failed(index)
            elif keys & seen:
                waiting.append(index)
            else:
                taken.append(index)
            seen |= keys
        self._waiting = waiting
        return taken

    def failed(self, index: int) -> None:
        for key in self._keys[index]:
            self._held[key] = min(self._held.get(key, index), index)


def _chunks_by_destination(rounds: _Rounds, taken: list[int], size: int) -> Iterator[tuple[str, list[int]]]:
    by_destination: dict[str, list[int]] = {}
    for index in taken:
        by_destination.setdefault(rounds.event(index).destination, []).append(index)
    for destination, indexes in by_destination.items():
        for start in range(0, len(indexes), size):
            yield destination, indexes[start : start + size]


def _item_key(pending: PendingEvent) -> tuple[str, ...]:
    return ("item", *(f"{name}={value!r}" for name, value in sorted(pending.key.items())))


def _ordering_keys(pending: PendingEvent) -> frozenset[tuple[str, ...]]:
    keys = {_item_key(pending)}
    if group := pending.delivery.get(MESSAGE_GROUP_ID):
        keys.add(("group", pending.destination, group))
    return frozenset(keys)


def _quoted(name: str) -> str:
    """A PartiQL quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def _context_of(span: Span) -> Context:
    return trace.set_span_in_context(span)
