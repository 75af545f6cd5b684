"""Which writes to the orders table moved an order, read off its stream: an insert moved it to every
status in its history, a modify to each entry beyond the old image's history, and any other write
(the outbox relay marking an event published, a workflow claiming the order) to nothing."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.types import TypeSerializer

from order_updates_service.domain import StatusUpdate
from order_updates_service.order_item_changes import status_updates

_serializer = TypeSerializer()

ACCEPTED = {"status": "ACCEPTED", "at": "2025-03-14T12:00:00+00:00"}
STOCK_RESERVED = {"status": "STOCK_RESERVED", "at": "2025-03-14T12:00:01+00:00"}
PAID = {"status": "PAID", "at": "2025-03-14T12:00:02+00:00"}
FAILED = {"status": "FAILED", "at": "2025-03-14T12:00:03+00:00", "reason": "payment declined"}


def _image(history: list[dict[str, str]], order_id: str = "order-1", **more: Any) -> dict[str, Any]:
    """An order item as the stream carries it: DynamoDB JSON."""
    item = {
        "orderId": order_id,
        "customerId": "c-1",
        "status": history[-1]["status"],
        "history": history,
        "totalMinorUnits": 1250,
        **more,
    }
    return {name: _serializer.serialize(value) for name, value in item.items()}


def _record(event_name: str, new: dict[str, Any] | None = None, old: dict[str, Any] | None = None) -> dict[str, Any]:
    images: dict[str, Any] = {"Keys": {"orderId": {"S": "order-1"}}, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if new is not None:
        images["NewImage"] = new
    if old is not None:
        images["OldImage"] = old
    return {"eventID": "1", "eventName": event_name, "eventSource": "aws:dynamodb", "dynamodb": images}


def _update(order_id: str, sequence: int, change: dict[str, str]) -> StatusUpdate:
    return StatusUpdate(order_id, "c-1", sequence, change["status"], change["at"], change.get("reason"))


def test_an_inserted_order_yields_every_status_in_its_history_in_order() -> None:
    # Given an order stored already two steps along (as the saga may store it)
    record = _record("INSERT", new=_image([ACCEPTED, STOCK_RESERVED]))

    # When the stream's record is read
    updates = status_updates([record])

    # Then each history entry is an update, with its place in the history
    assert updates == [_update("order-1", 0, ACCEPTED), _update("order-1", 1, STOCK_RESERVED)]


def test_a_modify_yields_only_the_entries_beyond_the_old_images_history() -> None:
    # Given a write moving an order from STOCK_RESERVED through PAID to FAILED
    record = _record(
        "MODIFY", old=_image([ACCEPTED, STOCK_RESERVED]), new=_image([ACCEPTED, STOCK_RESERVED, PAID, FAILED])
    )

    # When it is read
    updates = status_updates([record])

    # Then only the two new entries are updates, the failure with its reason
    assert updates == [_update("order-1", 2, PAID), _update("order-1", 3, FAILED)]
    assert updates[-1].reason == "payment declined"


def test_a_modify_with_an_unchanged_history_yields_nothing() -> None:
    # Given the outbox relay marking an event published: the outbox changes, the history does not
    history = [ACCEPTED, STOCK_RESERVED]
    record = _record(
        "MODIFY",
        old=_image(history, outboxPending="2025-03-14T12:00:01+00:00", outbox={"e-1": {"destination": "webhooks"}}),
        new=_image(history, outbox={}),
    )

    # When it is read, Then no status changed
    assert status_updates([record]) == []


def test_a_modify_that_only_claims_the_order_yields_nothing() -> None:
    # Given a workflow claiming the order (workflowId set, history as it was)
    record = _record("MODIFY", old=_image([ACCEPTED]), new=_image([ACCEPTED], workflowId="saga-1"))

    # When it is read, Then no status changed
    assert status_updates([record]) == []


def test_a_removed_order_yields_nothing() -> None:
    # Given an order deleted (its old image only)
    record = _record("REMOVE", old=_image([ACCEPTED, PAID]))

    # When it is read, Then nothing moved
    assert status_updates([record]) == []


def test_an_item_without_a_history_yields_nothing() -> None:
    # Given an order item written before histories existed, modified
    old = _image([ACCEPTED])
    new = {name: value for name, value in _image([ACCEPTED]).items() if name != "history"}

    # When its record is read, Then there is no entry to announce
    assert status_updates([_record("MODIFY", old=old, new=new)]) == []


def test_a_batch_yields_its_updates_in_stream_order_across_orders() -> None:
    # Given a batch interleaving two orders' writes, one of them publishing only
    records = [
        _record("INSERT", new=_image([ACCEPTED], order_id="order-1")),
        _record("INSERT", new=_image([ACCEPTED], order_id="order-2")),
        _record("MODIFY", old=_image([ACCEPTED], order_id="order-1"), new=_image([ACCEPTED], order_id="order-1")),
        _record("MODIFY", old=_image([ACCEPTED], order_id="order-2"), new=_image([ACCEPTED, PAID], order_id="order-2")),
        _record(
            "MODIFY",
            old=_image([ACCEPTED], order_id="order-1"),
            new=_image([ACCEPTED, STOCK_RESERVED], order_id="order-1"),
        ),
    ]

    # When the batch is read
    updates = status_updates(records)

    # Then the updates follow the records' order
    assert [(u.order_id, u.sequence, u.status) for u in updates] == [
        ("order-1", 0, "ACCEPTED"),
        ("order-2", 0, "ACCEPTED"),
        ("order-2", 1, "PAID"),
        ("order-1", 1, "STOCK_RESERVED"),
    ]


def test_an_update_reads_as_the_message_a_customers_client_receives() -> None:
    # Given an order that failed
    record = _record("MODIFY", old=_image([ACCEPTED, PAID]), new=_image([ACCEPTED, PAID, FAILED]))

    # When its update is turned into the client's message
    [update] = status_updates([record])

    # Then it names the order, status, time, reason, place, and that the order is final
    assert update.message() == {
        "type": "order.status",
        "orderId": "order-1",
        "status": "FAILED",
        "at": FAILED["at"],
        "reason": "payment declined",
        "sequence": 2,
        "final": True,
    }
