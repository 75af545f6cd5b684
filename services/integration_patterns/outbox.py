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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError
from cloudevents.core.base import BaseCloudEvent
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from integration_patterns.cloudevents_envelope import to_json
from integration_patterns.dynamodb_writes import is_conditional_check_failure

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
class Condition:
    """A ConditionExpression with its own placeholders (``values`` as plain Python values)."""

    expression: str
    names: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)


class OutboxTable:
    """A table whose items carry their pending events: each write stores a change and its events.

    The one place that knows how events ride on an item. A repository hands it its item, or its
    changes, and ready-made :class:`OutboxMessage` s; it never builds an expression for them.
    """

    def __init__(self, dynamodb_client: Any, table_name: str, key_attribute: str, now: Callable[[], datetime]) -> None:
        self._dynamodb = dynamodb_client
        self._table = table_name
        self._key_attribute = key_attribute
        self._now = now

    def create(self, item: Mapping[str, Any], messages: Sequence[OutboxMessage]) -> bool:
        """Store a new ``item`` (plain Python values) with ``messages`` pending; False if its key is taken."""
        typed = {name: _serializer.serialize(value) for name, value in item.items() if value is not None}
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item=item_with_outbox(typed, messages, self._now()),
                ConditionExpression="attribute_not_exists(#key)",
                ExpressionAttributeNames={"#key": self._key_attribute},
            )
        except ClientError as error:
            if is_conditional_check_failure(error):
                return False
            raise
        return True

    def update(
        self, key: str, changes: Mapping[str, Any], messages: Sequence[OutboxMessage], *, condition: Condition
    ) -> bool:
        """Apply ``changes`` (None removes an attribute) and store ``messages`` pending, if ``condition``
        holds on the stored item; False (nothing written) when it does not, or no item has ``key``.

        DynamoDB cannot create a map and set a key inside it in one expression, and items written
        before they had an outbox have no map. So the write says which case it expects: first "the
        map exists" (every item :meth:`create` wrote), then "the map is absent" (it sets the whole
        map). Whether the map exists only changes from absent to present, so when both were refused,
        a third try of the first decides: refused again, it is the caller's condition that failed.
        """
        now = self._now()
        entries = _entries(messages, now)
        if not entries:
            return self._conditional_update(key, changes, {}, condition, None)
        paths: dict[str, Any] = {}
        names: dict[str, str] = {}
        for index, (event_id, entry) in enumerate(entries.items()):
            names[f"#outboxEvent{index}"] = event_id
            paths[f"#outbox.#outboxEvent{index}"] = entry
        into_map = _OutboxSet(paths, names, "attribute_exists(#outbox)")
        whole_map = _OutboxSet({"#outbox": {"M": entries}}, {}, "attribute_not_exists(#outbox)")
        for outbox in (into_map, whole_map, into_map):
            if self._conditional_update(key, changes, outbox.with_flag(now), condition, outbox):
                return True
        return False

    def _conditional_update(
        self,
        key: str,
        changes: Mapping[str, Any],
        outbox_values: Mapping[str, Any],
        condition: Condition,
        outbox: _OutboxSet | None,
    ) -> bool:
        names: dict[str, str] = {"#key": self._key_attribute, **condition.names}
        values: dict[str, Any] = {name: _serializer.serialize(v) for name, v in condition.values.items()}
        set_clauses, remove_clauses = [], []
        for index, (attribute, value) in enumerate(changes.items()):
            names[f"#change{index}"] = attribute
            if value is None:
                remove_clauses.append(f"#change{index}")
            else:
                values[f":change{index}"] = _serializer.serialize(value)
                set_clauses.append(f"#change{index} = :change{index}")
        conditions = [f"attribute_exists(#key) AND ({condition.expression})"]
        if outbox is not None:
            names.update({"#outbox": OUTBOX, "#outboxPending": PENDING_FLAG, **outbox.names})
            for index, (path, value) in enumerate(outbox_values.items()):
                values[f":outbox{index}"] = value
                set_clauses.append(f"{path} = :outbox{index}")
            conditions.append(outbox.condition)
        expression = "SET " + ", ".join(set_clauses) if set_clauses else ""
        if remove_clauses:
            expression += " REMOVE " + ", ".join(remove_clauses)
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={self._key_attribute: _serializer.serialize(key)},
                UpdateExpression=expression.strip(),
                ConditionExpression=" AND ".join(conditions),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if is_conditional_check_failure(error):
                return False
            raise
        return True


@dataclass(frozen=True)
class _OutboxSet:
    """How one try of :meth:`OutboxTable.update` stores the events: paths set, names, the condition."""

    paths: Mapping[str, Any]
    names: Mapping[str, str]
    condition: str

    def with_flag(self, now: datetime) -> dict[str, Any]:
        return {**self.paths, "#outboxPending": {"S": now.isoformat()}}


def item_with_outbox(item: Mapping[str, Any], messages: Sequence[OutboxMessage], now: datetime) -> dict[str, Any]:
    """A new item (DynamoDB-typed attributes) carrying ``messages`` as its pending events."""
    entries = _entries(messages, now)
    typed = {**item, OUTBOX: {"M": entries}}
    if entries:
        typed[PENDING_FLAG] = {"S": now.isoformat()}
    return typed


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
