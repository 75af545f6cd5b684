"""The outbox's write side: one call stores an entity's change and its pending events together."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from integration_patterns.cloudevents_envelope import EventType, new_event
from integration_patterns.outbox import OUTBOX, PENDING_FLAG, Condition, OutboxMessage, OutboxTable

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
THING_SHIPPED = EventType("com.example.thing.shipped", 1)
STILL_NEW = Condition("#state = :new", {"#state": "state"}, {":new": "NEW"})
_deserializer = TypeDeserializer()


class OneItemTable:
    """A DynamoDB client holding one item; it evaluates the conditions an OutboxTable writes.

    Only the clauses the outbox uses are understood: the key's existence, the outbox map's
    existence or absence, and the caller's own condition, decided here by ``caller_condition``.
    """

    def __init__(self, *, exists: bool = True, has_outbox: bool = True, caller_condition: bool = True) -> None:
        self.exists, self.has_outbox, self.caller_condition = exists, has_outbox, caller_condition
        self.requests: list[dict[str, Any]] = []
        self.written: list[dict[str, Any]] = []
        self.before_each_update: list[Any] = []

    def put_item(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        if self.exists:
            raise ClientError({"Error": {"Code": "ConditionalCheckFailedException"}}, "PutItem")
        self.exists = True
        self.written.append(request)
        return {}

    def update_item(self, **request: Any) -> dict[str, Any]:
        if self.before_each_update:
            self.before_each_update.pop(0)(self)
        self.requests.append(request)
        condition = request["ConditionExpression"]
        holds = self.exists and self.caller_condition
        if "attribute_exists(#outbox)" in condition:
            holds = holds and self.has_outbox
        if "attribute_not_exists(#outbox)" in condition:
            holds = holds and not self.has_outbox
        if not holds:
            raise ClientError({"Error": {"Code": "ConditionalCheckFailedException"}}, "UpdateItem")
        self.has_outbox = True
        self.written.append(request)
        return {}


def _message(event_id: str) -> OutboxMessage:
    event = new_event(THING_SHIPPED, "/things", {"thingId": "t-1"}, new_id=lambda: event_id)
    return OutboxMessage("things", event, {"messageGroupId": "t-1"})


def _table(dynamodb: OneItemTable) -> OutboxTable:
    return OutboxTable(dynamodb, "things", "thingId", now=lambda: NOW)


def test_a_new_item_is_stored_with_its_pending_events_and_the_flag_once_per_key() -> None:
    # Given an empty table
    dynamodb = OneItemTable(exists=False)

    # When an item is created twice with one event
    first = _table(dynamodb).create({"thingId": "t-1", "state": "NEW", "note": None}, [_message("e-1")])
    second = _table(dynamodb).create({"thingId": "t-1", "state": "NEW"}, [_message("e-1")])

    # Then only the first stores it, with the event under its id, the flag, and no null attributes
    assert (first, second) == (True, False)
    item = dynamodb.written[0]["Item"]
    assert set(item[OUTBOX]["M"]) == {"e-1"}
    assert item[PENDING_FLAG] == {"S": NOW.isoformat()}
    assert "note" not in item
    assert dynamodb.written[0]["ConditionExpression"] == "attribute_not_exists(#key)"


def test_an_update_sets_the_change_and_adds_each_event_inside_the_existing_map() -> None:
    # Given a stored item with an outbox map
    dynamodb = OneItemTable()

    # When it is changed, announcing two events
    stored = _table(dynamodb).update(
        "t-1", {"state": "SHIPPED", "note": None}, [_message("e-2"), _message("e-3")], condition=STILL_NEW
    )

    # Then one write sets the change, removes the null, and sets each event by its id inside the map
    assert stored is True
    [request] = dynamodb.written
    names, values = request["ExpressionAttributeNames"], request["ExpressionAttributeValues"]
    assert {names["#outboxEvent0"], names["#outboxEvent1"]} == {"e-2", "e-3"}
    assert "#outbox.#outboxEvent0 = :outbox0" in request["UpdateExpression"]
    assert "REMOVE #change1" in request["UpdateExpression"] and names["#change1"] == "note"
    assert _deserializer.deserialize(values[":change0"]) == "SHIPPED"
    assert "(#state = :new)" in request["ConditionExpression"]
    assert names["#key"] == "thingId" and request["Key"] == {"thingId": {"S": "t-1"}}


def test_an_item_written_before_it_had_an_outbox_gets_the_whole_map_without_reading_error_text() -> None:
    # Given an item with no outbox map (written before the outbox existed)
    dynamodb = OneItemTable(has_outbox=False)

    # When it is changed, announcing an event
    stored = _table(dynamodb).update("t-1", {"state": "SHIPPED"}, [_message("e-2")], condition=STILL_NEW)

    # Then the second try sets the whole map, on condition it is still absent
    assert stored is True
    assert len(dynamodb.requests) == 2
    [request] = dynamodb.written
    assert "attribute_not_exists(#outbox)" in request["ConditionExpression"]
    whole_map = next(v for v in request["ExpressionAttributeValues"].values() if "M" in v and "e-2" in v["M"])
    assert set(whole_map["M"]) == {"e-2"}


def test_a_map_created_between_the_tries_is_added_to_not_overwritten() -> None:
    # Given an item without a map, to which a concurrent writer adds one just before the second try
    dynamodb = OneItemTable(has_outbox=False)
    dynamodb.before_each_update = [lambda _table: None, lambda table: setattr(table, "has_outbox", True)]

    # When it is changed
    stored = _table(dynamodb).update("t-1", {"state": "SHIPPED"}, [_message("e-2")], condition=STILL_NEW)

    # Then the third try adds the event inside the (now existing) map
    assert stored is True
    assert len(dynamodb.requests) == 3
    assert "attribute_exists(#outbox)" in dynamodb.written[0]["ConditionExpression"]


@pytest.mark.parametrize(("exists", "has_outbox"), [(True, True), (True, False), (False, False)])
def test_when_the_callers_condition_fails_nothing_is_written_and_the_answer_is_false(
    exists: bool, has_outbox: bool
) -> None:
    # Given an item whose state no longer allows the change (or no item at all)
    dynamodb = OneItemTable(exists=exists, has_outbox=has_outbox, caller_condition=False)

    # When it is changed / Then every try is refused and the update reports it
    assert _table(dynamodb).update("t-1", {"state": "SHIPPED"}, [_message("e-2")], condition=STILL_NEW) is False
    assert dynamodb.written == []


def test_a_change_without_events_touches_neither_the_map_nor_the_flag() -> None:
    # Given a stored item / When it is changed, announcing nothing
    dynamodb = OneItemTable(has_outbox=False)
    assert _table(dynamodb).update("t-1", {"state": "SHIPPED"}, [], condition=STILL_NEW) is True

    # Then one write, with no outbox clause and no outbox condition
    [request] = dynamodb.written
    assert "outbox" not in request["UpdateExpression"]
    assert "#outbox" not in request["ConditionExpression"]


def test_other_failures_propagate_so_the_message_is_retried() -> None:
    # Given a table that is throttling
    class Throttled(OneItemTable):
        def update_item(self, **request: Any) -> dict[str, Any]:
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "UpdateItem")

    # When an item is changed / Then the error reaches the caller
    with pytest.raises(ClientError):
        _table(Throttled()).update("t-1", {"state": "SHIPPED"}, [_message("e-2")], condition=STILL_NEW)
