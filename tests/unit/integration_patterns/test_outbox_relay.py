"""The transactional outbox: events stored with a change, then relayed from the table's stream."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError
from cloudevents.core.base import BaseCloudEvent
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from integration_patterns.cloudevents_envelope import EventType, new_event
from integration_patterns.outbox import (
    OUTBOX,
    PENDING_FLAG,
    OutboxMessage,
    item_with_outbox,
)
from integration_patterns.outbox_relay import OutboxRelay, OutboxRelayFailed
from integration_patterns.outbox_routes import one_at_a_time

STORED_AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
THING_CREATED = EventType("com.example.thing.created", 1)
THING_SHIPPED = EventType("com.example.thing.shipped", 1)
_tracer = trace.get_tracer(__name__)


class FakeDynamoDb:
    """Records UpdateItem calls and PartiQL statements; can refuse them as a failed condition (already marked)."""

    def __init__(self, condition_fails: bool = False) -> None:
        self.updates: list[dict[str, Any]] = []
        self.statements: list[dict[str, Any]] = []
        self._condition_fails = condition_fails

    def update_item(self, **request: Any) -> dict[str, Any]:
        if self._condition_fails:
            raise ClientError({"Error": {"Code": "ConditionalCheckFailedException"}}, "UpdateItem")
        self.updates.append(request)
        return {}

    def batch_execute_statement(self, Statements: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        if self._condition_fails:
            return {"Responses": [{"Error": {"Code": "ConditionalCheckFailed"}} for _ in Statements]}
        self.statements.extend(Statements)
        return {"Responses": [{"TableName": "things"} for _ in Statements]}


class RecordingRoute:
    def __init__(self, fail_for: set[str] | None = None) -> None:
        self.sent: list[tuple[BaseCloudEvent, Mapping[str, str]]] = []
        self.trace_ids: list[int] = []
        self._fail_for = fail_for or set()

    def __call__(self, event: BaseCloudEvent, delivery: Mapping[str, str]) -> None:
        if event.get_id() in self._fail_for:
            raise ConnectionError("destination unreachable")
        self.trace_ids.append(trace.get_current_span().get_span_context().trace_id)
        self.sent.append((event, delivery))


def _event(event_type: EventType, event_id: str) -> BaseCloudEvent:
    return new_event(event_type, "/things", {"thingId": "t-1"}, subject="t-1", new_id=lambda: event_id)


def _stream_record(item: dict[str, Any], event_name: str = "MODIFY") -> dict[str, Any]:
    return {"eventName": event_name, "dynamodb": {"Keys": {"thingId": item["thingId"]}, "NewImage": item}}


def _written_item(*messages: OutboxMessage) -> tuple[dict[str, Any], int]:
    """The item a writer stores inside its own span; returns it with that span's trace id."""
    with _tracer.start_as_current_span("writer") as span:
        item = item_with_outbox({"thingId": {"S": "t-1"}}, messages, STORED_AT)
        return item, span.get_span_context().trace_id


def _relay(routes: Mapping[str, RecordingRoute], dynamodb: FakeDynamoDb | None = None) -> OutboxRelay:
    return OutboxRelay(
        dynamodb or FakeDynamoDb(),
        "things",
        {destination: one_at_a_time(route) for destination, route in routes.items()},
        Logger(service="test"),
        now=lambda: STORED_AT + timedelta(seconds=2),
    )


def test_a_write_with_events_stores_them_keyed_by_id_with_the_writers_trace_and_raises_the_flag(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given an event to announce a change
    message = OutboxMessage("things", _event(THING_CREATED, "e-1"), {"messageGroupId": "t-1"})

    # When the writer builds its item inside a span
    item, trace_id = _written_item(message)

    # Then the item carries the pending event, its delivery and the writer's trace context, and the flag
    entry = item[OUTBOX]["M"]["e-1"]["M"]
    assert entry["destination"] == {"S": "things"}
    assert entry["delivery"] == {"M": {"messageGroupId": {"S": "t-1"}}}
    assert f"{trace_id:032x}" in entry["traceContext"]["M"]["traceparent"]["S"]
    assert '"id":"e-1"' in entry["event"]["S"].replace(" ", "")
    assert item[PENDING_FLAG] == {"S": STORED_AT.isoformat()}


def test_a_write_without_events_keeps_an_empty_outbox_and_no_flag() -> None:
    # Given no events / When the item is built / Then the map exists (for later updates) but nothing is pending
    item = item_with_outbox({"thingId": {"S": "t-1"}}, [], STORED_AT)
    assert item[OUTBOX] == {"M": {}}
    assert PENDING_FLAG not in item


def test_the_relay_sends_pending_events_in_stored_order_inside_the_writers_trace_then_marks_them(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given a stream record of a write that stored two events
    item, writer_trace = _written_item(
        OutboxMessage("things", _event(THING_CREATED, "e-1"), {"messageGroupId": "t-1"}),
        OutboxMessage("things", _event(THING_SHIPPED, "e-2")),
    )
    route, dynamodb = RecordingRoute(), FakeDynamoDb()

    # When the relay processes it
    sent = _relay({"things": route}, dynamodb).process({"Records": [_stream_record(item, "INSERT")]})

    # Then both are sent in the order stored, with their delivery, inside the writer's trace
    assert sent == 2
    assert [event.get_id() for event, _ in route.sent] == ["e-1", "e-2"]
    assert route.sent[0][1] == {"messageGroupId": "t-1"}
    assert route.trace_ids == [writer_trace, writer_trace]
    # And both are then removed from the item by one statement, with the flag, only if both are still there
    (statement,) = dynamodb.statements
    assert statement["Statement"] == (
        'UPDATE "things" REMOVE "outbox"."e-1" REMOVE "outbox"."e-2" REMOVE "outboxPending" '
        'WHERE "thingId" = ? AND "outbox"."e-1" IS NOT MISSING AND "outbox"."e-2" IS NOT MISSING'
    )
    assert statement["Parameters"] == [{"S": "t-1"}]
    # And one relay span per event says how long it waited in the outbox
    relay_spans = sorted(
        (span for span in finished_spans.get_finished_spans() if span.name.startswith("outbox relay")),
        key=lambda span: span.start_time or 0,
    )
    assert [span.name for span in relay_spans] == [
        "outbox relay com.example.thing.created",
        "outbox relay com.example.thing.shipped",
    ]
    assert relay_spans[0].attributes is not None and relay_spans[0].attributes["messaging.outbox.wait_ms"] == 2000.0


def test_the_first_failure_stops_the_batch_and_fails_the_invocation_so_the_stream_retries() -> None:
    # Given a batch of two records whose first event cannot be sent
    first, _ = _written_item(OutboxMessage("things", _event(THING_CREATED, "e-1")))
    second, _ = _written_item(OutboxMessage("things", _event(THING_SHIPPED, "e-2")))
    route, dynamodb = RecordingRoute(fail_for={"e-1"}), FakeDynamoDb()

    # When the relay processes the batch
    with pytest.raises(OutboxRelayFailed, match="e-1") as raised:
        _relay({"things": route}, dynamodb).process({"Records": [_stream_record(first), _stream_record(second)]})

    # Then nothing after the failure is sent (a later event never overtakes it) and nothing is marked
    assert isinstance(raised.value.__cause__, ConnectionError)
    assert route.sent == []
    assert dynamodb.updates == []


def test_a_failed_send_marks_the_relay_span_as_an_error(finished_spans: InMemorySpanExporter) -> None:
    # Given an event whose destination is down
    item, _ = _written_item(OutboxMessage("things", _event(THING_CREATED, "e-1")))

    # When it is relayed / Then the relay span records the error
    with pytest.raises(OutboxRelayFailed):
        _relay({"things": RecordingRoute(fail_for={"e-1"})}).process({"Records": [_stream_record(item)]})
    (span,) = [span for span in finished_spans.get_finished_spans() if span.name.startswith("outbox relay")]
    assert span.status.status_code is StatusCode.ERROR


def test_a_record_without_the_pending_flag_sends_nothing() -> None:
    # Given the record of a relay's own "mark published" write (the flag removed, an event still pending)
    item, _ = _written_item(OutboxMessage("things", _event(THING_CREATED, "e-1")))
    del item[PENDING_FLAG]
    route = RecordingRoute()

    # When it reaches the relay (without a stream filter, say) / Then nothing is sent
    assert _relay({"things": route}).process({"Records": [_stream_record(item)]}) == 0
    assert route.sent == []


def test_a_replayed_record_is_sent_again_and_its_mark_is_a_no_op() -> None:
    # Given a record whose event was already sent and removed from the item
    item, _ = _written_item(OutboxMessage("things", _event(THING_CREATED, "e-1")))
    route = RecordingRoute()

    # When the record is replayed
    sent = _relay({"things": route}, FakeDynamoDb(condition_fails=True)).process({"Records": [_stream_record(item)]})

    # Then the event goes out again with the same id (consumers' inboxes absorb it) and nothing fails
    assert sent == 1
    assert route.sent[0][0].get_id() == "e-1"


def test_an_event_for_an_unknown_destination_fails_with_a_reason() -> None:
    # Given an event stored for a route this relay does not have
    item, _ = _written_item(OutboxMessage("elsewhere", _event(THING_CREATED, "e-1")))

    # When it is relayed / Then the invocation fails, naming the destination, and the event stays pending
    with pytest.raises(OutboxRelayFailed) as raised:
        _relay({"things": RecordingRoute()}).process({"Records": [_stream_record(item)]})
    assert "elsewhere" in str(raised.value.__cause__)
