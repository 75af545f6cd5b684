"""The transactional outbox, write side: a change and the events announcing it in one item write.

The events ride on the entity's own item, in a map ``outbox`` keyed by event id, so the state change
and its announcement are one single-item write: atomic without a transaction (half the write cost
of TransactWriteItems with a separate outbox item), and the table's stream delivers one item's
changes in order, so an entity's events leave in the order they happened.

A write that stores events also sets the ``outboxPending`` flag. The stream trigger's filter passes
only records whose new image carries that flag; the relay's "mark published" update removes the
event and the flag, so its own writes never trigger it again. An event still in the map is pending;
the trace context of the writer is stored with it, so its trace continues when it is sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError
from cloudevents.core.base import BaseCloudEvent
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from integration_patterns.cloudevents_envelope import to_json

OUTBOX = "outbox"
PENDING_FLAG = "outboxPending"

# Keys of one outbox entry.
DESTINATION = "destination"
EVENT = "event"
DELIVERY = "delivery"
TRACE_CONTEXT = "traceContext"
STORED_AT = "storedAt"
POSITION = "position"

_serializer = TypeSerializer()
_W3C = TraceContextTextMapPropagator()


@dataclass(frozen=True)
class OutboxMessage:
    """An event to send once the change that produced it is stored.

    ``destination`` names the relay route that sends it; ``delivery`` holds what that route needs
    besides the event (a message group, a schedule's name and time), see :mod:`outbox_routes`.
    """

    destination: str
    event: BaseCloudEvent
    delivery: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboxUpdate:
    """The parts of an UpdateItem that store ``messages`` beside the caller's own changes.

    ``condition``, when set, must be ANDed into the caller's ConditionExpression.
    """

    set_clauses: tuple[str, ...]
    names: dict[str, str]
    values: dict[str, Any]
    condition: str | None = None


def item_with_outbox(item: Mapping[str, Any], messages: Sequence[OutboxMessage], now: datetime) -> dict[str, Any]:
    """A new item (DynamoDB-typed attributes) carrying ``messages`` as its pending events."""
    entries = _entries(messages, now)
    typed = {**item, OUTBOX: {"M": entries}}
    if entries:
        typed[PENDING_FLAG] = {"S": now.isoformat()}
    return typed


def outbox_update(messages: Sequence[OutboxMessage], now: datetime) -> OutboxUpdate:
    """SET clauses adding ``messages`` to an item's ``outbox`` map and raising its pending flag.

    The item must already hold the map (every item written with :func:`item_with_outbox` does):
    DynamoDB cannot create a map and set a key inside it in one expression. For an item written
    before it had an outbox, the update fails with :func:`is_missing_outbox`; retry it with
    :func:`first_outbox_update`.
    """
    names = {"#outbox": OUTBOX, "#outboxPending": PENDING_FLAG}
    values: dict[str, Any] = {":outboxPending": {"S": now.isoformat()}}
    clauses = ["#outboxPending = :outboxPending"]
    for index, (event_id, entry) in enumerate(_entries(messages, now).items()):
        names[f"#outboxEvent{index}"] = event_id
        values[f":outboxEvent{index}"] = entry
        clauses.append(f"#outbox.#outboxEvent{index} = :outboxEvent{index}")
    return OutboxUpdate(tuple(clauses), names, values)


def first_outbox_update(messages: Sequence[OutboxMessage], now: datetime) -> OutboxUpdate:
    """SET clauses giving an item without an ``outbox`` map one holding ``messages``.

    Conditional on the map still being absent, so it can never overwrite events stored meanwhile.
    """
    names = {"#outbox": OUTBOX, "#outboxPending": PENDING_FLAG}
    values: dict[str, Any] = {":outbox": {"M": _entries(messages, now)}, ":outboxPending": {"S": now.isoformat()}}
    clauses = ("#outboxPending = :outboxPending", "#outbox = :outbox")
    return OutboxUpdate(clauses, names, values, condition="attribute_not_exists(#outbox)")


def is_missing_outbox(error: ClientError) -> bool:
    """Whether an :func:`outbox_update` failed because the item has no ``outbox`` map yet."""
    details = error.response.get("Error", {})
    return details.get(
        "Code"
    ) == "ValidationException" and "document path provided in the update expression is invalid" in str(
        details.get("Message", "")
    )


def _entries(messages: Sequence[OutboxMessage], now: datetime) -> dict[str, Any]:
    trace_context = _current_trace_context()
    entries: dict[str, Any] = {}
    for position, message in enumerate(messages):
        entry = {
            DESTINATION: message.destination,
            EVENT: to_json(message.event),
            DELIVERY: dict(message.delivery),
            TRACE_CONTEXT: trace_context,
            STORED_AT: now.isoformat(),
            POSITION: position,
        }
        entries[message.event.get_id()] = _serializer.serialize(entry)
    return entries


def _current_trace_context() -> dict[str, str]:
    carrier: dict[str, str] = {}
    _W3C.inject(carrier)
    return carrier
