"""Reading the orders table's stream: which writes moved an order, and to what (an anti-corruption
layer over the order service's item format, the one place here that knows it).

A record with both images moved the order when the new image's history is longer than the old
one's; an insert moved it to every status in its history (an order is stored as accepted). Any
other write (the outbox relay marking an event published, a workflow claiming the order) changes
no status and yields nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from order_updates_service.domain import StatusUpdate

_deserializer = TypeDeserializer()


def status_updates(records: Iterable[Mapping[str, Any]]) -> list[StatusUpdate]:
    """The status changes in a batch of stream records, in stream order."""
    updates: list[StatusUpdate] = []
    for record in records:
        images = record.get("dynamodb") or {}
        new_image = _plain(images.get("NewImage"))
        if not new_image or record.get("eventName") not in ("INSERT", "MODIFY"):
            continue
        seen = len(_plain(images.get("OldImage")).get("history") or [])
        history = new_image.get("history") or []
        updates.extend(
            StatusUpdate(
                order_id=str(new_image["orderId"]),
                customer_id=str(new_image["customerId"]),
                sequence=sequence,
                status=str(change["status"]),
                at=str(change["at"]),
                reason=change.get("reason"),
            )
            for sequence, change in enumerate(history)
            if sequence >= seen
        )
    return updates


def _plain(image: Mapping[str, Any] | None) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in (image or {}).items()}
