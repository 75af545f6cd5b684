"""The CloudEvents envelope: structured JSON round trip, versioned types, and what is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from integration_patterns.cloudevents_envelope import (
    CORRELATION_ID,
    REPLY_TO,
    EventType,
    from_json,
    new_event,
    optional_extension,
    to_json,
)
from integration_patterns.errors import InvalidMessage

THING_HAPPENED_V3 = EventType("com.example.thing.happened", 3)
SENT_AT = datetime(2025, 3, 14, 12, 0, 5, tzinfo=UTC)


def test_an_event_survives_a_round_trip_through_json() -> None:
    # Given an event with a reply address and a correlation id
    event = new_event(
        THING_HAPPENED_V3,
        "/example/producer",
        {"thingId": "t-1", "count": 2, "tags": ["a", "b"], "nested": {"ok": True}},
        extensions={REPLY_TO: "https://queue.example/replies", CORRELATION_ID: "conversation-1"},
        new_id=lambda: "event-1",
        now=lambda: SENT_AT,
    )

    # When it is written as structured JSON and read back
    body = to_json(event)
    parsed = from_json(body)

    # Then every attribute and the data are kept
    assert json.loads(body)["type"] == "com.example.thing.happened.v3"
    assert parsed.get_id() == "event-1"
    assert parsed.get_type() == "com.example.thing.happened.v3"
    assert parsed.get_source() == "/example/producer"
    assert parsed.get_time() == SENT_AT
    assert optional_extension(parsed, REPLY_TO) == "https://queue.example/replies"
    assert optional_extension(parsed, CORRELATION_ID) == "conversation-1"
    assert parsed.get_data() == {"thingId": "t-1", "count": 2, "tags": ["a", "b"], "nested": {"ok": True}}


def test_an_absent_extension_reads_as_none() -> None:
    # Given an event without extensions / When one is read / Then it is None
    event = new_event(THING_HAPPENED_V3, "/example/producer", {})
    assert optional_extension(from_json(to_json(event)), REPLY_TO) is None


def test_a_versioned_type_is_parsed_into_name_and_version() -> None:
    # Given a type with a version suffix / When parsed / Then name and version are split
    event_type = EventType.parse("com.x.y.v2")
    assert event_type == EventType("com.x.y", 2)
    assert str(event_type) == "com.x.y.v2"


@pytest.mark.parametrize("value", ["com.x.y", "com.x.y.v", "com.x.y.v0", "com.x.y.version2", "com.x.y.V2", ""])
def test_a_type_without_a_version_suffix_is_invalid(value: str) -> None:
    # Given a type that does not end in ".v<positive number>"
    # When parsed / Then the message is invalid, naming the type
    with pytest.raises(InvalidMessage, match="does not end in a version"):
        EventType.parse(value)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("this is not JSON", "body: not JSON"),
        (json.dumps({"specversion": "1.0", "type": "com.x.y.v1", "data": {}}), "attribute id: required"),
        (
            json.dumps({"specversion": "1.0", "id": "e-1", "type": "com.x.y.v1", "data": {}}),
            "attribute source: required",
        ),
        (json.dumps({"specversion": "0.3", "id": "e-1", "source": "/s", "type": "t.v1"}), "specversion: only"),
        (json.dumps({"id": "e-1", "source": "/s", "type": "t.v1", "time": "yesterday", "data": {}}), "attribute time:"),
        (json.dumps({"id": {"nested": 1}, "source": "/s", "type": "t.v1", "data": {}}), "attribute id: must be a"),
        (json.dumps({"id": "e-1", "source": "/s", "type": "t.v1", "Évil key!": "x" * 600, "data": {}}), "(unnamed)"),
    ],
    ids=["not JSON", "no id or source", "no source", "old spec", "bad time", "object id", "long odd extension"],
)
def test_a_body_that_is_not_a_structured_cloudevent_is_invalid_with_a_reason_naming_the_rule(
    body: str, reason: str
) -> None:
    # Given a body that is not a complete, valid structured CloudEvent
    # When it is parsed / Then it is an InvalidMessage naming the field and rule, never quoting values
    with pytest.raises(InvalidMessage) as refused:
        from_json(body)
    assert reason in refused.value.reason
    assert "yesterday" not in refused.value.reason and "Évil" not in refused.value.reason


@pytest.mark.parametrize("data", [[1, 2], "text", None], ids=["a list", "a string", "absent"])
def test_an_event_whose_data_is_not_a_json_object_is_invalid(data: object) -> None:
    # Given a well-formed CloudEvent whose data is not an object
    envelope: dict[str, object] = {"specversion": "1.0", "id": "e-1", "source": "/s", "type": "com.x.y.v1"}
    if data is not None:
        envelope["data"] = data

    # When it is parsed / Then it is refused, naming the field
    with pytest.raises(InvalidMessage, match=r"^data: must be a JSON object$"):
        from_json(json.dumps(envelope))
