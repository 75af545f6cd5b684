"""The outbox relay in batches: batch calls per destination, per-item order, partial failures, marks."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError
from cloudevents.core.base import BaseCloudEvent
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from integration_patterns.batch_sends import MAX_BATCH_BYTES, batches
from integration_patterns.cloudevents_envelope import EventType, new_event
from integration_patterns.outbox import OutboxMessage, item_with_outbox
from integration_patterns.outbox_relay import OutboxRelay, OutboxRelayFailed
from integration_patterns.outbox_routes import publish_route, queue_delivery, queue_route
from integration_patterns.pubsub_publisher import CloudEventPublisher, EventBridgeChannel, SnsChannel
from integration_patterns.sqs_sender import SqsCloudEventSender

STORED_AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
THING_CHANGED = EventType("com.example.thing.changed", 1)
QUEUE = "https://sqs.us-east-1.amazonaws.com/000000000000/things"
FIFO_QUEUE = "https://sqs.us-east-1.amazonaws.com/000000000000/things.fifo"
TOPIC_ARN = "arn:aws:sns:us-east-1:000000000000:thing-events"
_tracer = trace.get_tracer(__name__)


class Timeline:
    """What happened, in order, across sends and marks (marks run on the relay's threads)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def add(self, step: str, event_id: str) -> None:
        with self._lock:
            self.steps.append((step, event_id))

    def of(self, step: str) -> list[str]:
        return [event_id for kind, event_id in self.steps if kind == step]


class CallsInFlight:
    """Holds each call a while and remembers the most calls held at once (the relay's parallelism)."""

    def __init__(self, hold_seconds: float) -> None:
        self.most_at_once = 0
        self._hold_seconds = hold_seconds
        self._in_flight = 0
        self._lock = threading.Lock()

    def hold(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.most_at_once = max(self.most_at_once, self._in_flight)
        time.sleep(self._hold_seconds)
        with self._lock:
            self._in_flight -= 1


class FakeSqs:
    """SendMessageBatch that refuses the entries of some events (or fails whole calls)."""

    def __init__(
        self, timeline: Timeline, refuse: set[str] | None = None, fail_calls: bool = False, hold_seconds: float = 0
    ) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.calls_in_flight = CallsInFlight(hold_seconds)
        self._timeline = timeline
        self._refuse = refuse or set()
        self._fail_calls = fail_calls

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        assert len(Entries) <= 10
        self.calls_in_flight.hold()
        self.calls.append(Entries)
        if self._fail_calls:
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendMessageBatch")
        successful, failed = [], []
        for entry in Entries:
            event_id = json.loads(entry["MessageBody"])["id"]
            if event_id in self._refuse:
                failed.append(
                    {"Id": entry["Id"], "Code": "InternalError", "Message": "try again", "SenderFault": False}
                )
            else:
                self._timeline.add("sent", event_id)
                successful.append({"Id": entry["Id"], "MessageId": f"m-{event_id}"})
        return {"Successful": successful, "Failed": failed}


class FakeSns:
    def __init__(self, timeline: Timeline) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self._timeline = timeline

    def publish_batch(self, TopicArn: str, PublishBatchRequestEntries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        self.calls.append(PublishBatchRequestEntries)
        for entry in PublishBatchRequestEntries:
            self._timeline.add("published", json.loads(entry["Message"])["id"])
        return {"Successful": [{"Id": e["Id"], "MessageId": "s"} for e in PublishBatchRequestEntries], "Failed": []}


class FakeEvents:
    """PutEvents that rejects the entries of some events, reporting them in its response."""

    def __init__(self, reject: set[str] | None = None) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self._reject = reject or set()

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        self.calls.append(Entries)
        results = [
            {"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}
            if json.loads(entry["Detail"])["id"] in self._reject
            else {"EventId": "eb"}
            for entry in Entries
        ]
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


class FakeDynamoDb:
    """The marks: PartiQL statements in batches, and UpdateItem for an item whose statement did not
    apply. Can refuse the statements of some events and fail the updates of some; counts the
    calls in flight at once."""

    def __init__(
        self,
        timeline: Timeline,
        fail_marks_of: set[str] | None = None,
        refuse_statements_of: set[str] | None = None,
        hold_seconds: float = 0,
    ) -> None:
        self.updates: list[dict[str, Any]] = []
        self.statement_calls: list[list[dict[str, Any]]] = []
        self.calls_in_flight = CallsInFlight(hold_seconds)
        self._timeline = timeline
        self._fail_marks_of = fail_marks_of or set()
        self._refuse_statements_of = (refuse_statements_of or set()) | self._fail_marks_of

    def batch_execute_statement(self, Statements: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        assert len(Statements) <= 25
        self.calls_in_flight.hold()
        self.statement_calls.append(Statements)
        responses: list[dict[str, Any]] = []
        for statement in Statements:
            event_ids = re.findall(r'REMOVE "outbox"\."([^"]+)"', statement["Statement"])
            if self._refuse_statements_of & set(event_ids):
                responses.append({"Error": {"Code": "ThrottlingError", "Message": "slow down"}})
                continue
            for event_id in event_ids:
                self._timeline.add("marked", event_id)
            responses.append({"TableName": "things"})
        return {"Responses": responses}

    def update_item(self, **request: Any) -> dict[str, Any]:
        names = request["ExpressionAttributeNames"]
        event_ids = [event_id for name, event_id in names.items() if name.startswith("#event")]
        if self._fail_marks_of & set(event_ids):
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "UpdateItem")
        self.updates.append(request)
        for event_id in event_ids:
            self._timeline.add("marked", event_id)
        return {}


def _event(event_id: str, thing: str, data_bytes: int = 0) -> BaseCloudEvent:
    data = {"thingId": thing, "padding": "x" * data_bytes}
    return new_event(THING_CHANGED, "/things", data, subject=thing, new_id=lambda: event_id)


def _record(thing: str, *messages: OutboxMessage) -> tuple[dict[str, Any], int]:
    """The stream record of one write of ``thing`` storing ``messages`` in its own writer span."""
    with _tracer.start_as_current_span(f"writer {thing}") as span:
        item = item_with_outbox({"thingId": {"S": thing}}, messages, STORED_AT)
        trace_id = span.get_span_context().trace_id
    return {"eventName": "MODIFY", "dynamodb": {"Keys": {"thingId": {"S": thing}}, "NewImage": item}}, trace_id


def _queued(event_id: str, thing: str, group: str | None = None) -> OutboxMessage:
    delivery = queue_delivery(group_id=group, deduplication_id=event_id) if group else {}
    return OutboxMessage("queue", _event(event_id, thing), delivery)


def _relay(dynamodb: FakeDynamoDb, sqs: FakeSqs, queue_url: str = QUEUE, **options: Any) -> OutboxRelay:
    routes = {"queue": queue_route(SqsCloudEventSender(sqs, queue_url))}
    return OutboxRelay(
        dynamodb, "things", routes, Logger(service="test"), now=lambda: STORED_AT + timedelta(seconds=1), **options
    )


def _process(relay: OutboxRelay, *records: dict[str, Any]) -> int:
    return relay.process({"Records": list(records)})


def test_batches_hold_at_most_ten_entries_and_256_kib_and_an_oversized_entry_travels_alone() -> None:
    # Given entries of sizes that fill the byte limit before the count limit, and one over it alone
    sizes = [1] * 23 + [MAX_BATCH_BYTES // 2] * 3 + [MAX_BATCH_BYTES + 1, 1]

    # When they are cut into batches
    cut = list(batches(sizes, lambda size: size))

    # Then no batch has more than 10 entries or (but for a lone oversized entry) more than 256 KiB, in order
    assert cut == [
        [1] * 10,
        [1] * 10,
        [1, 1, 1, MAX_BATCH_BYTES // 2],
        [MAX_BATCH_BYTES // 2] * 2,
        [MAX_BATCH_BYTES + 1],
        [1],
    ]
    assert all(sum(batch) <= MAX_BATCH_BYTES for batch in cut if len(batch) > 1)
    assert [size for batch in cut for size in batch] == sizes


def test_events_of_many_items_go_out_in_batch_calls_of_at_most_ten_then_all_are_marked() -> None:
    # Given 23 items with one pending event each, one of them large
    timeline = Timeline()
    sqs = FakeSqs(timeline)
    records = [_record(f"t-{n}", _queued(f"e-{n}", f"t-{n}"))[0] for n in range(23)]

    # When the relay processes the batch
    sent = _process(_relay(FakeDynamoDb(timeline), sqs), *records)

    # Then they went out in three SendMessageBatch calls (10, 10, 3: the calls side by side, so in
    # any order), each call's entries consecutive in stream order, and all were marked
    assert sent == 23
    ids_per_call = [[int(json.loads(entry["MessageBody"])["id"][2:]) for entry in call] for call in sqs.calls]
    assert sorted(ids_per_call) == [list(range(0, 10)), list(range(10, 20)), list(range(20, 23))]
    assert sorted(timeline.of("marked")) == sorted(timeline.of("sent")) == sorted(f"e-{n}" for n in range(23))


def test_large_events_are_split_by_size_so_no_call_exceeds_256_kib() -> None:
    # Given five items whose events are about 100 KiB each
    timeline = Timeline()
    sqs = FakeSqs(timeline)
    big = [
        _record(f"t-{n}", OutboxMessage("queue", _event(f"e-{n}", f"t-{n}", data_bytes=100 * 1024)))[0]
        for n in range(5)
    ]

    # When they are relayed / Then no call carries more than two of them (256 KiB)
    assert _process(_relay(FakeDynamoDb(timeline), sqs), *big) == 5
    assert [len(call) for call in sqs.calls] == [2, 2, 1]
    assert all(sum(len(entry["MessageBody"]) for entry in call) <= MAX_BATCH_BYTES for call in sqs.calls)


def test_an_items_events_go_out_in_order_and_a_failure_in_the_middle_holds_back_the_rest_of_that_item() -> None:
    # Given item A with three events, the second of which the queue refuses, and item B with two
    timeline = Timeline()
    sqs = FakeSqs(timeline, refuse={"a-2"})
    item_a, _ = _record("A", _queued("a-1", "A"), _queued("a-2", "A"), _queued("a-3", "A"))
    item_b, _ = _record("B", _queued("b-1", "B"), _queued("b-2", "B"))

    # When the relay processes the batch
    with pytest.raises(OutboxRelayFailed, match="a-2") as raised:
        _process(_relay(FakeDynamoDb(timeline), sqs), item_a, item_b)

    # Then A's first event went out and was marked; its refused one and the one behind it were not
    # marked, and the one behind it was not even sent (it never overtakes the refused one)
    assert "a-1" in timeline.of("marked")
    assert "a-2" not in timeline.of("marked") and "a-3" not in timeline.of("marked")
    assert "a-3" not in timeline.of("sent")
    # And item B's events all went out, in their order, and were marked
    assert [event_id for event_id in timeline.of("sent") if event_id.startswith("b")] == ["b-1", "b-2"]
    assert sorted(event_id for event_id in timeline.of("marked") if event_id.startswith("b")) == ["b-1", "b-2"]
    # And the invocation fails (after the others went out), so the stream retries the batch
    assert "InternalError" in str(raised.value.__cause__)


def test_a_partially_refused_batch_call_marks_exactly_the_entries_that_went_out() -> None:
    # Given three items whose events share one SendMessageBatch call, the middle entry refused
    timeline = Timeline()
    sqs = FakeSqs(timeline, refuse={"e-2"})
    records = [_record(f"t-{n}", _queued(f"e-{n}", f"t-{n}"))[0] for n in (1, 2, 3)]

    # When the relay processes them
    with pytest.raises(OutboxRelayFailed, match="e-2"):
        _process(_relay(FakeDynamoDb(timeline), sqs), *records)

    # Then one call was made, and only the accepted entries were marked published
    assert len(sqs.calls) == 1
    assert sorted(timeline.of("marked")) == ["e-1", "e-3"]


def test_a_failed_batch_call_marks_none_of_its_entries() -> None:
    # Given a queue whose every call fails
    timeline = Timeline()
    records = [_record(f"t-{n}", _queued(f"e-{n}", f"t-{n}"), _queued(f"f-{n}", f"t-{n}"))[0] for n in (1, 2)]

    # When the relay processes them / Then it fails, nothing is marked, and no item's second event was tried
    sqs = FakeSqs(timeline, fail_calls=True)
    with pytest.raises(OutboxRelayFailed, match="e-1"):
        _process(_relay(FakeDynamoDb(timeline), sqs), *records)
    assert timeline.of("marked") == []
    assert [[json.loads(entry["MessageBody"])["id"] for entry in call] for call in sqs.calls] == [["e-1", "e-2"]]


def test_no_event_is_marked_before_it_was_sent_and_each_item_is_sent_in_stored_order() -> None:
    # Given ten items with three events each, written by two writes per item
    timeline = Timeline()
    records = []
    for n in range(10):
        records.append(_record(f"t-{n}", _queued(f"t-{n}-1", f"t-{n}"), _queued(f"t-{n}-2", f"t-{n}"))[0])
    for n in range(10):
        records.append(_record(f"t-{n}", _queued(f"t-{n}-3", f"t-{n}"))[0])

    # When the relay processes the batch
    assert _process(_relay(FakeDynamoDb(timeline), FakeSqs(timeline)), *records) == 30

    # Then every mark comes after its event's send, and each item's events went out in their order
    for position, (step, event_id) in enumerate(timeline.steps):
        if step == "marked":
            assert ("sent", event_id) in timeline.steps[:position]
    for n in range(10):
        assert [e for e in timeline.of("sent") if e.startswith(f"t-{n}-")] == [f"t-{n}-{i}" for i in (1, 2, 3)]


def test_a_replayed_record_in_the_same_batch_sends_its_event_once() -> None:
    # Given the record of a write with a pending event, and a later write's record still showing it
    timeline = Timeline()
    sqs = FakeSqs(timeline)
    first, _ = _record("A", _queued("a-1", "A"))
    second, _ = _record("A", _queued("a-1", "A"), _queued("a-2", "A"))

    # When both reach the relay in one batch / Then a-1 goes out once, before a-2
    assert _process(_relay(FakeDynamoDb(timeline), sqs), first, second) == 2
    assert timeline.of("sent") == ["a-1", "a-2"]


def test_a_failed_mark_fails_the_invocation_once_the_other_events_are_sent_and_marked() -> None:
    # Given two items whose first item's mark fails (throttled)
    timeline = Timeline()
    first, _ = _record("A", _queued("a-1", "A"))
    second, _ = _record("B", _queued("b-1", "B"))

    # When the relay processes them
    with pytest.raises(ClientError, match="ProvisionedThroughputExceeded"):
        _process(_relay(FakeDynamoDb(timeline, fail_marks_of={"a-1"}), FakeSqs(timeline)), first, second)

    # Then both were sent and the other one marked; a-1 stays pending, so the retried batch sends it again
    assert sorted(timeline.of("sent")) == ["a-1", "b-1"]
    assert timeline.of("marked") == ["b-1"]


def test_a_refused_event_holds_back_the_later_events_of_its_message_group_from_other_items() -> None:
    # Given two orders of one customer for a FIFO queue (group = customer), the first one refused
    timeline = Timeline()
    sqs = FakeSqs(timeline, refuse={"o1-placed"})
    first, _ = _record("o-1", _queued("o1-placed", "o-1", group="customer-1"))
    second, _ = _record("o-2", _queued("o2-placed", "o-2", group="customer-1"))
    other, _ = _record("o-3", _queued("o3-placed", "o-3", group="customer-2"))

    # When the relay processes them
    with pytest.raises(OutboxRelayFailed, match="o1-placed"):
        _process(_relay(FakeDynamoDb(timeline), sqs, FIFO_QUEUE), first, second, other)

    # Then the second order of that customer does not overtake the first; the other customer's goes out
    assert timeline.of("sent") == ["o3-placed"]
    assert timeline.of("marked") == ["o3-placed"]


def test_one_at_a_time_settings_send_each_event_alone_and_mark_it_before_the_next() -> None:
    # Given the relay set to one event per call and marks in line (the benchmark's baseline)
    timeline = Timeline()
    sqs = FakeSqs(timeline)
    records = [_record(f"t-{n}", _queued(f"e-{n}", f"t-{n}"))[0] for n in range(3)]

    # When it processes three items
    _process(_relay(FakeDynamoDb(timeline), sqs, max_batch=1, workers=0), *records)

    # Then every call carries one entry, and each send is followed by its mark
    assert [len(call) for call in sqs.calls] == [1, 1, 1]
    assert timeline.steps == [(step, f"e-{n}") for n in range(3) for step in ("sent", "marked")]


def test_each_queued_message_carries_its_own_producer_span_in_its_writers_trace(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given three items written in three different traces
    timeline = Timeline()
    sqs = FakeSqs(timeline)
    written = [_record(f"t-{n}", _queued(f"e-{n}", f"t-{n}")) for n in range(3)]

    # When they go out in one batch call
    _process(_relay(FakeDynamoDb(timeline), sqs), *(record for record, _ in written))
    (call,) = sqs.calls

    # Then each message's traceparent is its own PRODUCER span, in its writer's trace, under its relay span
    spans = {span.context.span_id: span for span in finished_spans.get_finished_spans()}
    for entry, (_, writer_trace) in zip(call, written, strict=True):
        _, trace_id, span_id, _ = entry["MessageAttributes"]["traceparent"]["StringValue"].split("-")
        producer = spans[int(span_id, 16)]
        assert int(trace_id, 16) == writer_trace == producer.context.trace_id
        assert producer.kind is SpanKind.PRODUCER and producer.name == "send things"
        assert producer.parent is not None
        assert spans[producer.parent.span_id].name == "outbox relay com.example.thing.changed"
        assert producer.attributes is not None
        assert producer.attributes["messaging.message.id"] == f"m-{json.loads(entry['MessageBody'])['id']}"
    # And the shared call has a span of its own, in none of their traces, linking to each producer span
    producers = {int(e["MessageAttributes"]["traceparent"]["StringValue"].split("-")[2], 16) for e in call}
    _assert_one_batch_call_span(finished_spans, "send batch things", producers, writers={t for _, t in written})
    # And the marks' call likewise links to each relay span
    relays = {span.context.span_id for span in spans.values() if span.name.startswith("outbox relay")}
    assert len(relays) == 3
    _assert_one_batch_call_span(finished_spans, "outbox mark published", relays, writers={t for _, t in written})


def _assert_one_batch_call_span(
    finished_spans: InMemorySpanExporter, name: str, linked_span_ids: set[int], writers: set[int]
) -> None:
    (batch_call,) = [span for span in finished_spans.get_finished_spans() if span.name == name]
    assert batch_call.parent is None and batch_call.context.trace_id not in writers
    assert {link.context.span_id for link in batch_call.links} == linked_span_ids
    assert batch_call.attributes is not None
    assert batch_call.attributes["messaging.batch.message_count"] == len(linked_span_ids)


def test_published_events_carry_their_own_publish_span_and_a_channel_refusal_stops_that_event_only(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given two items written in two traces, published to SNS and EventBridge; the bus rejects the second
    timeline = Timeline()
    sns, events = FakeSns(timeline), FakeEvents(reject={"e-2"})
    publisher = CloudEventPublisher([SnsChannel(sns, TOPIC_ARN), EventBridgeChannel(events, "things", "/things")], "t")
    relay = OutboxRelay(FakeDynamoDb(timeline), "things", {"pub": publish_route(publisher)}, Logger(service="test"))
    written = [_record(f"t-{n}", OutboxMessage("pub", _event(f"e-{n}", f"t-{n}"))) for n in (1, 2)]

    # When the relay processes them
    with pytest.raises(OutboxRelayFailed, match="e-2"):
        relay.process({"Records": [record for record, _ in written]})

    # Then one PublishBatch and one PutEvents call carried both; only the event both accepted is marked
    assert [len(call) for call in sns.calls] == [2] and [len(call) for call in events.calls] == [2]
    assert timeline.of("marked") == ["e-1"]
    # And each published event carries its own publish span's context, in its writer's trace
    spans = {span.context.span_id: span for span in finished_spans.get_finished_spans()}
    for entry, (_, writer_trace) in zip(sns.calls[0], written, strict=True):
        _, trace_id, span_id, _ = json.loads(entry["Message"])["traceparent"].split("-")
        publish = spans[int(span_id, 16)]
        assert publish.kind is SpanKind.PRODUCER and publish.name == "publish com.example.thing.changed"
        assert int(trace_id, 16) == writer_trace == publish.context.trace_id
    # And each channel's call has its own span, linking to both publish spans
    publishes = {span.context.span_id for span in spans.values() if span.name.startswith("publish com.")}
    writers = {t for _, t in written}
    _assert_one_batch_call_span(finished_spans, "publish batch thing-events", publishes, writers)
    _assert_one_batch_call_span(finished_spans, "put events things", publishes, writers)
    # And the same body went to both channels
    assert [json.loads(e["Detail"])["id"] for e in events.calls[0]] == ["e-1", "e-2"]


def test_the_marks_go_25_items_a_call_side_by_side_and_an_item_whose_statement_did_not_apply_is_marked_alone() -> None:
    # Given 60 items with two events each, the statement of one item refused (throttled, say), and
    # a table that takes a while per call
    timeline = Timeline()
    dynamodb = FakeDynamoDb(timeline, refuse_statements_of={"e-7"}, hold_seconds=0.05)
    records = [_record(f"t-{n}", _queued(f"e-{n}", f"t-{n}"), _queued(f"f-{n}", f"t-{n}"))[0] for n in range(60)]

    # When the relay processes them
    assert _process(_relay(dynamodb, FakeSqs(timeline)), *records) == 120

    # Then the marks went in three BatchExecuteStatement calls (25 + 25 + 10 items), not waiting on
    # each other, one statement per item for both its events
    assert sorted(len(call) for call in dynamodb.statement_calls) == [10, 25, 25]
    assert dynamodb.calls_in_flight.most_at_once > 1
    # And the refused item was marked by its own conditional update, for both its events
    (update,) = dynamodb.updates
    assert [update["ExpressionAttributeNames"][name] for name in ("#event0", "#event1")] == ["e-7", "f-7"]
    assert update["ConditionExpression"] == "attribute_exists(#outbox.#event0) OR attribute_exists(#outbox.#event1)"
    assert sorted(timeline.of("marked")) == sorted([f"e-{n}" for n in range(60)] + [f"f-{n}" for n in range(60)])


def test_the_batch_calls_of_one_round_go_out_side_by_side_and_each_item_still_in_order() -> None:
    # Given 30 items with two events each, and a queue that takes a while per call
    timeline = Timeline()
    sqs = FakeSqs(timeline, hold_seconds=0.05)
    records = [_record(f"t-{n}", _queued(f"e-{n}", f"t-{n}"), _queued(f"f-{n}", f"t-{n}"))[0] for n in range(30)]

    # When the relay processes them
    assert _process(_relay(FakeDynamoDb(timeline), sqs), *records) == 60

    # Then the three calls of each round ran side by side, and no item's second event went before its first
    assert sqs.calls_in_flight.most_at_once > 1
    sent = timeline.of("sent")
    assert all(sent.index(f"e-{n}") < sent.index(f"f-{n}") for n in range(30))
