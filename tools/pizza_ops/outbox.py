"""`pizza outbox`: the events stuck pending in a table's outbox, and sending them again.

An event stays in its item's ``outbox`` map until the relay has sent it. One that has waited long
is stuck: its stream record ran out of retries (only a pointer reached the failure queue), or a
"mark published" write removed the flag that another pending event relied on. Raising the flag
again writes a new stream record that passes the trigger's filter, and the relay then sends every
event pending on the item; consumers' inboxes and create-once writes absorb the copies.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from integration_patterns.dynamodb_writes import is_conditional_check_failure
from integration_patterns.outbox import OUTBOX, PENDING_FLAG
from integration_patterns.outbox_relay import PendingEvent, pending_event

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


@dataclass(frozen=True)
class OutboxBacklog:
    """The pending events of a table: the stuck ones, oldest first, and how many are younger."""

    stuck: tuple[PendingEvent, ...]
    in_flight: int
    older_than: timedelta


@dataclass(frozen=True)
class Resend:
    """The outcome of raising one item's flag again; ``raised`` is False when it was sent meanwhile."""

    item: str
    event_ids: tuple[str, ...]
    raised: bool


def pending_events(item: Mapping[str, Any], key_names: Sequence[str]) -> list[PendingEvent]:
    """The events in a (deserialized) item's outbox."""
    key = {name: item[name] for name in key_names}
    return [pending_event(key, event_id, entry) for event_id, entry in (item.get(OUTBOX) or {}).items()]


def item_of(event: PendingEvent) -> str:
    """The item's key as ``name=value``."""
    return ", ".join(f"{name}={value}" for name, value in event.key.items())


def event_type_of(event: PendingEvent) -> str:
    # A listing must not stop at one unreadable entry; the relay is the one that rejects it.
    try:
        return str(json.loads(event.event_json).get("type", "?"))
    except (ValueError, AttributeError):
        return "?"


def backlog_of(events: Iterable[PendingEvent], now: datetime, older_than: timedelta) -> OutboxBacklog:
    """Split pending events into stuck (pending longer than ``older_than``) and probably in flight."""
    ordered = sorted(events, key=lambda event: (event.stored_at, event.position))
    stuck = tuple(event for event in ordered if now - event.stored_at >= older_than)
    return OutboxBacklog(stuck, len(ordered) - len(stuck), older_than)


def render_backlog(table: str, backlog: OutboxBacklog, now: datetime) -> str:
    """A table of the stuck events, oldest first, and a line that counts them and the younger ones."""
    threshold = _duration(backlog.older_than)
    if not backlog.stuck and not backlog.in_flight:
        return f"nothing pending in the outbox of {table}"
    if not backlog.stuck:
        return (
            f"nothing stuck in {table}: {_count(backlog.in_flight, 'event')} pending for less than {threshold}"
            " (probably in flight)"
        )
    header = ["ITEM", "EVENT ID", "TYPE", "DESTINATION", "STORED AT (UTC)", "AGE"]
    rows = [
        [
            item_of(event),
            event.event_id,
            event_type_of(event),
            event.destination,
            event.stored_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            _duration(now - event.stored_at),
        ]
        for event in backlog.stuck
    ]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    items = len({item_of(event) for event in backlog.stuck})
    summary = (
        f"{_count(len(backlog.stuck), 'event')} stuck (pending longer than {threshold}) on {_count(items, 'item')}"
    )
    if backlog.in_flight:
        summary += f"; {_count(backlog.in_flight, 'younger event')} not listed (probably in flight)"
    return "\n".join([*lines, summary])


def render_resends(resends: Sequence[Resend]) -> str:
    """A line per item: its flag raised again, or left alone because its event was sent meanwhile."""
    lines = []
    for resend in resends:
        ids = ", ".join(resend.event_ids)
        if resend.raised:
            lines.append(f"re-sent {resend.item}: flag raised, the relay sends every event pending on it ({ids})")
        else:
            lines.append(f"left {resend.item} alone: its event {resend.event_ids[0]} was sent meanwhile")
    return "\n".join(lines)


def _duration(span: timedelta) -> str:
    seconds = max(int(span.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def scan_pending(dynamodb_client: Any, table: str) -> Iterator[PendingEvent]:
    """Every event pending in the table's items, read consistently, page by page."""
    schema = dynamodb_client.describe_table(TableName=table)["Table"]["KeySchema"]
    key_names = [element["AttributeName"] for element in schema]
    pages = dynamodb_client.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="size(#outbox) > :zero",
        ExpressionAttributeNames={"#outbox": OUTBOX},
        ExpressionAttributeValues={":zero": {"N": "0"}},
        ConsistentRead=True,
    )
    for page in pages:
        for item in page["Items"]:
            yield from pending_events(
                {name: _deserializer.deserialize(value) for name, value in item.items()}, key_names
            )


def resend(dynamodb_client: Any, table: str, stuck: Sequence[PendingEvent], now: datetime) -> list[Resend]:
    """Raise the pending flag again on every item with stuck events, unless its oldest one was sent meanwhile."""
    by_item: dict[str, list[PendingEvent]] = {}
    for event in stuck:
        by_item.setdefault(item_of(event), []).append(event)
    return [_raise_flag(dynamodb_client, table, events, now) for events in by_item.values()]


def _raise_flag(dynamodb_client: Any, table: str, events: Sequence[PendingEvent], now: datetime) -> Resend:
    oldest, ids = events[0], tuple(event.event_id for event in events)
    try:
        dynamodb_client.update_item(
            TableName=table,
            Key={name: _serializer.serialize(value) for name, value in oldest.key.items()},
            UpdateExpression="SET #pending = :now",
            ConditionExpression="attribute_exists(#outbox.#event)",
            ExpressionAttributeNames={"#pending": PENDING_FLAG, "#outbox": OUTBOX, "#event": oldest.event_id},
            ExpressionAttributeValues={":now": {"S": now.isoformat()}},
        )
    except ClientError as error:
        if not is_conditional_check_failure(error):
            raise
        return Resend(item_of(oldest), ids, raised=False)
    return Resend(item_of(oldest), ids, raised=True)
