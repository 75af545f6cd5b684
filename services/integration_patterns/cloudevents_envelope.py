"""Structured-mode CloudEvents: the envelope every message travels in.

Types carry their version as a suffix (``com.example.thing.happened.v1``) so consumers can route
by version and reject what they do not support.
"""

from __future__ import annotations

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
            raise InvalidMessage(f"event type {value!r} does not end in a version such as '.v1'")
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
    """Parse a structured-mode CloudEvent; anything else is an :class:`InvalidMessage`."""
    try:
        event = _FORMAT.read(None, body)
    except (BaseCloudEventException, ValueError, TypeError, AttributeError) as error:
        raise InvalidMessage(f"not a structured CloudEvent: {error}") from error
    if not isinstance(event.get_data(), dict):
        raise InvalidMessage(f"event {event.get_id()} has no JSON object as data")
    return event


def optional_extension(event: BaseCloudEvent, name: str) -> str | None:
    """An extension attribute's value, or None when the event does not carry it."""
    value = event.get_attributes().get(name)
    return None if value is None else str(value)
