"""Structured-mode CloudEvents: the envelope every message travels in.

Types carry their version as a suffix (``com.example.thing.happened.v1``) so consumers can route
by version and reject what they do not support.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from integration_patterns.errors import InvalidMessage

# Extension attribute names must be lower-case alphanumerics (CloudEvents spec, naming rules).
REPLY_TO = "replyto"
CORRELATION_ID = "correlationid"
# The id of the durable-execution callback a saga waits on: the consumer answers it (success or
# refusal) instead of replying on a queue.
DURABLE_CALLBACK_ID = "callbackid"

# Deep enough for any event this system exchanges; far below the parser's recursion limit.
MAX_NESTING_DEPTH = 32
# Context attributes (id, type, extensions such as correlationid) become keys and span attributes;
# DynamoDB refuses a key over 2,048 bytes, so a longer one could never be stored.
MAX_ATTRIBUTE_LENGTH = 512
# A claim check's presigned URL carries a signature and a session token: longer, and never a key.
LONG_ATTRIBUTES = {"dataref": 4096}

_FORMAT = JSONFormat()
_VERSIONED_TYPE = re.compile(r"^(?P<name>[a-z0-9.-]+)\.v(?P<version>[1-9][0-9]*)$")


@dataclass(frozen=True)
class EventType:
    """A versioned event type such as ``com.example.order.placed.v1``."""

    name: str
    version: int

    @classmethod
    def parse(cls, value: str) -> EventType:
        match = _VERSIONED_TYPE.match(value)
        if not match:
            raise InvalidMessage("type: does not end in a version such as '.v1'")
        return cls(match["name"], int(match["version"]))

    def __str__(self) -> str:
        return f"{self.name}.v{self.version}"


def new_event(
    event_type: EventType,
    source: str,
    data: Mapping[str, Any],
    *,
    subject: str | None = None,
    extensions: Mapping[str, str] | None = None,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> CloudEvent:
    """Build a JSON-data CloudEvent with a fresh id and time."""
    attributes: dict[str, Any] = {
        "id": new_id(),
        "source": source,
        "type": str(event_type),
        "time": now(),
        "datacontenttype": "application/json",
    }
    if subject:
        attributes["subject"] = subject
    attributes.update(extensions or {})
    return CloudEvent(attributes=attributes, data=dict(data))


def to_json(event: BaseCloudEvent) -> str:
    """Serialize in structured mode (attributes and data in one JSON document)."""
    return _FORMAT.write(event).decode("utf-8")


def from_json(body: str | bytes) -> BaseCloudEvent:
    """Parse a structured-mode CloudEvent; anything else is an :class:`InvalidMessage`.

    Refusals name the field and the rule, never the input: they end up in logs and DLQ attributes.
    """
    return event_from_document(json_document(body))


def json_document(body: str | bytes) -> Any:
    """A JSON document no deeper than :data:`MAX_NESTING_DEPTH`; :class:`InvalidMessage` otherwise."""
    try:
        document = json.loads(body)
    except RecursionError:
        raise InvalidMessage(f"body: nested deeper than {MAX_NESTING_DEPTH} levels") from None
    except ValueError:
        raise InvalidMessage("body: not JSON") from None
    if _depth_exceeds(document, MAX_NESTING_DEPTH):
        raise InvalidMessage(f"body: nested deeper than {MAX_NESTING_DEPTH} levels")
    return document


def event_from_document(document: Any) -> BaseCloudEvent:
    """A structured-mode CloudEvent (spec 1.0) from its parsed JSON document, data a JSON object."""
    if not isinstance(document, dict):
        raise InvalidMessage("body: not a structured CloudEvent (a JSON object)")
    attributes = dict(document)
    data = attributes.pop("data", None)
    if attributes.get("specversion", "1.0") != "1.0":
        raise InvalidMessage("specversion: only CloudEvents 1.0 is accepted")
    for name, value in attributes.items():
        if not isinstance(value, str | int | bool):
            raise InvalidMessage(f"attribute {_name(name)}: must be a string, an integer or a boolean")
        limit = LONG_ATTRIBUTES.get(name, MAX_ATTRIBUTE_LENGTH)
        if isinstance(value, str) and len(value) > limit:
            raise InvalidMessage(f"attribute {_name(name)}: longer than {limit} characters")
    for required in ("id", "source", "type"):
        if not attributes.get(required):
            raise InvalidMessage(f"attribute {required}: required")
    if not isinstance(data, dict):
        raise InvalidMessage("data: must be a JSON object")
    if "time" in attributes:
        try:
            attributes["time"] = datetime.fromisoformat(attributes["time"])
        except ValueError:
            raise InvalidMessage("attribute time: not an RFC 3339 timestamp") from None
    try:
        return CloudEvent(attributes=attributes, data=data)
    except (BaseCloudEventException, ValueError, TypeError) as error:
        # The SDK's messages name the attribute and the rule (never the value) for these checks.
        raise InvalidMessage(f"not a valid CloudEvent: {type(error).__name__}") from None


def _depth_exceeds(document: Any, limit: int) -> bool:
    # Iterative, so checking the depth cannot itself overflow the stack.
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                pending.append((child, depth + 1))
    return False


def _name(attribute: str) -> str:
    # Attribute names are input too: keep only what a valid name can hold (lower-case alphanumerics).
    return attribute if attribute.isalnum() and len(attribute) <= 20 else "(unnamed)"


def optional_extension(event: BaseCloudEvent, name: str) -> str | None:
    """An extension attribute's value, or None when the event does not carry it."""
    value = event.get_attributes().get(name)
    return None if value is None else str(value)
