"""`pizza outbox`: which pending events count as stuck, how they are shown, and how the flag is raised again."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from integration_patterns.cloudevents_envelope import EventType, new_event
from integration_patterns.outbox import OUTBOX, OutboxMessage, item_with_outbox
from integration_patterns.outbox_relay import PendingEvent
from pizza_ops.outbox import (
    OutboxBacklog,
    Resend,
    backlog_of,
    event_type_of,
    item_of,
    pending_events,
    render_backlog,
    render_resends,
    resend,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
THING_CREATED = EventType("com.example.thing.created", 1)


def _pending(thing_id: str, event_id: str, stored_minutes_ago: float, position: int = 0) -> PendingEvent:
    return PendingEvent(
        key={"thingId": thing_id},
        event_id=event_id,
        destination="things",
        event_json=json.dumps({"id": event_id, "type": "com.example.thing.created.v1"}),
        delivery={},
        trace_context={},
        stored_at=NOW - stored_minutes_ago * MINUTE,
        position=position,
    )


class FakeDynamoDb:
    """Records UpdateItem calls; refuses those naming an event in ``sent`` as a failed condition."""

    def __init__(self, sent: set[str] | None = None, error_code: str = "ConditionalCheckFailedException") -> None:
        self.updates: list[dict[str, Any]] = []
        self._sent = sent or set()
        self._error_code = error_code

    def update_item(self, **request: Any) -> dict[str, Any]:
        if request["ExpressionAttributeNames"]["#event"] in self._sent:
            raise ClientError({"Error": {"Code": self._error_code}}, "UpdateItem")
        self.updates.append(request)
        return {}


def test_an_items_outbox_entries_are_read_as_pending_events_with_their_item_type_destination_and_time() -> None:
    # Given an item written with two events in its outbox, as the writers store them
    events = [
        new_event(THING_CREATED, "/things", {"thingId": "t-1"}, new_id=lambda: "e-1"),
        new_event(EventType("com.example.thing.shipped", 1), "/things", {"thingId": "t-1"}, new_id=lambda: "e-2"),
    ]
    messages = [OutboxMessage("things", events[0]), OutboxMessage("shipping", events[1])]
    typed = item_with_outbox({"thingId": {"S": "t-1"}, "colour": {"S": "red"}}, messages, NOW - 5 * MINUTE)
    item = {name: TypeDeserializer().deserialize(value) for name, value in typed.items()}

    # When its pending events are read
    pending = pending_events(item, ["thingId"])

    # Then each names the item, its id, type, destination, when it was stored and its place
    assert sorted(
        (item_of(event), event.event_id, event_type_of(event), event.destination, event.stored_at, event.position)
        for event in pending
    ) == [
        ("thingId=t-1", "e-1", "com.example.thing.created.v1", "things", NOW - 5 * MINUTE, 0),
        ("thingId=t-1", "e-2", "com.example.thing.shipped.v1", "shipping", NOW - 5 * MINUTE, 1),
    ]


def test_an_entry_whose_event_cannot_be_read_is_still_listed_with_an_unknown_type() -> None:
    # Given an outbox entry whose event is not JSON
    entry = {"destination": "things", "event": "{not json", "storedAt": NOW.isoformat(), "position": 0}

    # When its pending events are read
    (pending,) = pending_events({"thingId": "t-1", OUTBOX: {"e-1": entry}}, ["thingId"])

    # Then it is listed all the same, its type unknown
    assert (pending.event_id, event_type_of(pending)) == ("e-1", "?")


def test_events_pending_longer_than_the_threshold_are_stuck_oldest_first_and_younger_ones_only_counted() -> None:
    # Given events stored 2 hours, 5 minutes, 10 seconds ago (two of them in one write)
    events = [
        _pending("t-2", "e-young", 10 / 60),
        _pending("t-1", "e-second", 120, position=1),
        _pending("t-3", "e-newer", 5),
        _pending("t-1", "e-first", 120, position=0),
    ]

    # When they are split with a one-minute threshold
    backlog = backlog_of(events, NOW, MINUTE)

    # Then the stuck ones come oldest first (stored order within a write), and the young one is only counted
    assert [event.event_id for event in backlog.stuck] == ["e-first", "e-second", "e-newer"]
    assert backlog.in_flight == 1


def test_the_listing_shows_one_line_per_stuck_event_with_its_age_and_counts_the_rest() -> None:
    # Given two stuck events on one item and one younger event elsewhere
    backlog = OutboxBacklog((_pending("t-1", "e-1", 125), _pending("t-1", "e-2", 2.5)), in_flight=1, older_than=MINUTE)

    # When it is rendered
    lines = render_backlog("pizza-things", backlog, NOW).splitlines()

    # Then a header, a line per stuck event with its item, type, destination, storedAt and age, and a count
    assert lines[0].split() == ["ITEM", "EVENT", "ID", "TYPE", "DESTINATION", "STORED", "AT", "(UTC)", "AGE"]
    assert lines[1].split() == [
        "thingId=t-1",
        "e-1",
        "com.example.thing.created.v1",
        "things",
        "2026-11-28",
        "09:55:00",
        "2h05m",
    ]
    assert lines[2].split()[-1] == "2m30s"
    assert (
        lines[3]
        == "2 events stuck (pending longer than 1m00s) on 1 item; 1 younger event not listed (probably in flight)"
    )


@pytest.mark.parametrize(
    ("backlog", "message"),
    [
        (OutboxBacklog((), 0, MINUTE), "nothing pending in the outbox of pizza-things"),
        (
            OutboxBacklog((), 2, timedelta(seconds=30)),
            "nothing stuck in pizza-things: 2 events pending for less than 30s (probably in flight)",
        ),
    ],
)
def test_a_table_with_nothing_stuck_says_so_in_one_line(backlog: OutboxBacklog, message: str) -> None:
    # Given a table with nothing stuck
    # When it is rendered
    # Then one line says whether anything is pending at all
    assert render_backlog("pizza-things", backlog, NOW) == message


def test_resending_raises_each_items_flag_once_conditioned_on_its_oldest_stuck_event() -> None:
    # Given stuck events on two items, the first item with two of them
    stuck = [_pending("t-1", "e-1", 10), _pending("t-1", "e-2", 10, position=1), _pending("t-2", "e-3", 5)]
    dynamodb = FakeDynamoDb()

    # When they are re-sent
    resends = resend(dynamodb, "pizza-things", stuck, NOW)

    # Then each item gets one write that raises the flag, unless its oldest stuck event has gone
    assert resends == [Resend("thingId=t-1", ("e-1", "e-2"), True), Resend("thingId=t-2", ("e-3",), True)]
    first = dynamodb.updates[0]
    assert first["Key"] == {"thingId": {"S": "t-1"}}
    assert first["UpdateExpression"] == "SET #pending = :now"
    assert first["ConditionExpression"] == "attribute_exists(#outbox.#event)"
    assert first["ExpressionAttributeNames"] == {"#pending": "outboxPending", "#outbox": "outbox", "#event": "e-1"}
    assert first["ExpressionAttributeValues"] == {":now": {"S": NOW.isoformat()}}
    assert dynamodb.updates[1]["ExpressionAttributeNames"]["#event"] == "e-3"


def test_an_item_whose_stuck_event_was_sent_meanwhile_is_left_alone() -> None:
    # Given the relay sent an item's stuck event after it was listed
    dynamodb = FakeDynamoDb(sent={"e-1"})

    # When it is re-sent
    resends = resend(dynamodb, "pizza-things", [_pending("t-1", "e-1", 10)], NOW)

    # Then nothing is written and the outcome says so
    assert resends == [Resend("thingId=t-1", ("e-1",), False)]
    assert dynamodb.updates == []
    assert render_resends(resends) == "left thingId=t-1 alone: its event e-1 was sent meanwhile"


def test_any_other_write_failure_propagates() -> None:
    # Given writes to the table are throttled
    dynamodb = FakeDynamoDb(sent={"e-1"}, error_code="ProvisionedThroughputExceededException")

    # When a stuck event is re-sent
    # Then the failure propagates
    with pytest.raises(ClientError):
        resend(dynamodb, "pizza-things", [_pending("t-1", "e-1", 10)], NOW)


def test_a_resend_names_the_item_and_the_events_the_relay_now_sends() -> None:
    # Given an item whose flag was raised again
    # When it is reported
    # Then the line names the item and its stuck events
    assert render_resends([Resend("thingId=t-1", ("e-1", "e-2"), True)]) == (
        "re-sent thingId=t-1: flag raised, the relay sends every event pending on it (e-1, e-2)"
    )
