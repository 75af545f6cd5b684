"""An order with a callbackUrl announces each status it moves to as an order.status-changed message,
stored in the outbox with the change itself (one write): all its history when it is added, only
the entries a change adds when it is saved, and nothing at all for an order without a callbackUrl."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from integration_patterns.cloudevents_envelope import CORRELATION_ID
from integration_patterns.outbox import OUTBOX, OutboxMessage
from order_service.adapters.contracts import WEBHOOKS_DESTINATION
from order_service.adapters.dynamodb_order_repository import DynamoDbOrderRepository
from order_service.adapters.status_change_messages import status_change_messages
from order_service.domain.events import OrderEvent
from order_service.domain.order import Order, OrderItem, OrderStatus, OrderType, PlaceOrder
from pizza_contracts import ORDER_STATUS_CHANGED_V1

PLACED_AT = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
CALLBACK = "https://hooks.example.com/pizza"
_deserializer = TypeDeserializer()


class RecordingDynamoDb:
    """Accepts every write (conditions hold) and keeps it, to read back what a write stored."""

    def __init__(self) -> None:
        self.puts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []

    def put_item(self, **request: Any) -> dict[str, Any]:
        self.puts.append(request)
        return {}

    def update_item(self, **request: Any) -> dict[str, Any]:
        self.updates.append(request)
        return {}


def _no_event_messages(_events: Sequence[OrderEvent]) -> Sequence[OutboxMessage]:
    return []


def _repository(dynamodb: RecordingDynamoDb) -> DynamoDbOrderRepository:
    return DynamoDbOrderRepository(dynamodb, "orders", _no_event_messages, now=lambda: PLACED_AT)


def _placed(callback_url: str | None = CALLBACK) -> Order:
    command = PlaceOrder("c-1", (OrderItem("Margherita", 1),), OrderType.COLLECTION, callback_url=callback_url)
    return Order.place("order-1", command, PLACED_AT)


def _webhook_events(entries: Sequence[Any]) -> list[dict[str, Any]]:
    """The order.status-changed events among outbox entries (DynamoDB-typed), in stored order."""
    plain = [_deserializer.deserialize(entry) for entry in entries]
    stored = [entry for entry in plain if isinstance(entry, dict) and entry.get("destination") == WEBHOOKS_DESTINATION]
    return [json.loads(entry["event"]) for entry in sorted(stored, key=lambda entry: entry["position"])]


def _added(dynamodb: RecordingDynamoDb) -> list[dict[str, Any]]:
    [put] = dynamodb.puts
    return _webhook_events(list(put["Item"][OUTBOX]["M"].values()))


def _saved(dynamodb: RecordingDynamoDb) -> list[dict[str, Any]]:
    [update] = dynamodb.updates
    return _webhook_events(list(update["ExpressionAttributeValues"].values()))


def _summary(events: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(event["data"]["sequence"], event["data"]["status"]) for event in events]


def test_adding_an_order_with_a_callback_url_stores_one_status_change_per_history_entry() -> None:
    # Given an order placed with a callbackUrl (its history: ACCEPTED)
    dynamodb = RecordingDynamoDb()

    # When it is added
    _repository(dynamodb).add(_placed(), [])

    # Then the same write stores an order.status-changed event for the webhook dispatcher, and the URL
    [event] = _added(dynamodb)
    assert event["type"] == str(ORDER_STATUS_CHANGED_V1)
    assert event["subject"] == "order-1"
    assert event["data"] == {
        "orderId": "order-1",
        "customerId": "c-1",
        "sequence": 0,
        "status": "ACCEPTED",
        "at": PLACED_AT.isoformat(),
        "reason": None,
        "callbackUrl": CALLBACK,
    }
    assert dynamodb.puts[0]["Item"]["callbackUrl"] == {"S": CALLBACK}


def test_adding_an_order_already_moved_stores_a_message_for_each_entry_in_order() -> None:
    # Given an order stored already two steps along
    order = _placed().moved_to(OrderStatus.STOCK_RESERVED, PLACED_AT + timedelta(seconds=1))
    dynamodb = RecordingDynamoDb()

    # When it is added
    _repository(dynamodb).add(order, [])

    # Then both entries are announced, each with its place in the history
    assert _summary(_added(dynamodb)) == [(0, "ACCEPTED"), (1, "STOCK_RESERVED")]


def test_an_order_without_a_callback_url_stores_no_status_change_messages() -> None:
    # Given an order placed without a callbackUrl
    dynamodb = RecordingDynamoDb()
    repository = _repository(dynamodb)
    order = _placed(callback_url=None)

    # When it is added and then moved
    repository.add(order, [])
    repository.save_change(order.moved_to(OrderStatus.PAID, PLACED_AT), OrderStatus.ACCEPTED, [])

    # Then no write stored a webhook message, nor a callbackUrl
    assert _added(dynamodb) == [] and _saved(dynamodb) == []
    assert "callbackUrl" not in dynamodb.puts[0]["Item"]


def test_saving_a_change_stores_only_the_entry_it_adds() -> None:
    # Given an order with a callbackUrl, stock reserved, now paid
    reserved = _placed().moved_to(OrderStatus.STOCK_RESERVED, PLACED_AT + timedelta(seconds=1))
    paid = reserved.moved_to(OrderStatus.PAID, PLACED_AT + timedelta(seconds=2))
    dynamodb = RecordingDynamoDb()

    # When the change from STOCK_RESERVED is saved
    assert _repository(dynamodb).save_change(paid, OrderStatus.STOCK_RESERVED, [])

    # Then only PAID is announced, not the history before it
    [event] = _saved(dynamodb)
    assert (event["data"]["sequence"], event["data"]["status"]) == (2, "PAID")
    assert event["data"]["at"] == (PLACED_AT + timedelta(seconds=2)).isoformat()


def test_a_failure_is_announced_with_its_reason() -> None:
    # Given an order with a callbackUrl that fails after being paid
    paid = _placed().moved_to(OrderStatus.PAID, PLACED_AT + timedelta(seconds=1))
    failed = paid.fail("the kitchen is closed", PLACED_AT + timedelta(seconds=2))
    dynamodb = RecordingDynamoDb()

    # When the change from PAID is saved
    _repository(dynamodb).save_change(failed, OrderStatus.PAID, [])

    # Then the FAILED entry is announced, reason and all
    [event] = _saved(dynamodb)
    assert (event["data"]["status"], event["data"]["reason"]) == ("FAILED", "the kitchen is closed")


def test_saving_a_change_adding_several_entries_stores_each_of_them() -> None:
    # Given an order that moves twice before the write (from ACCEPTED)
    moved = (
        _placed()
        .moved_to(OrderStatus.STOCK_RESERVED, PLACED_AT + timedelta(seconds=1))
        .moved_to(OrderStatus.PAID, PLACED_AT + timedelta(seconds=2))
    )
    dynamodb = RecordingDynamoDb()

    # When the change from ACCEPTED is saved
    _repository(dynamodb).save_change(moved, OrderStatus.ACCEPTED, [])

    # Then both new entries are announced, in order
    assert _summary(_saved(dynamodb)) == [(1, "STOCK_RESERVED"), (2, "PAID")]


def test_an_order_back_in_a_status_it_held_before_announces_only_what_follows_its_latest_stay() -> None:
    # Given an order that went ACCEPTED -> STOCK_RESERVED -> ACCEPTED (a step undone), now moving on
    back = (
        _placed()
        .moved_to(OrderStatus.STOCK_RESERVED, PLACED_AT + timedelta(seconds=1))
        .moved_to(OrderStatus.ACCEPTED, PLACED_AT + timedelta(seconds=2))
    )
    moved = back.moved_to(OrderStatus.STOCK_RESERVED, PLACED_AT + timedelta(seconds=3))
    dynamodb = RecordingDynamoDb()

    # When the change from ACCEPTED is saved
    _repository(dynamodb).save_change(moved, OrderStatus.ACCEPTED, [])

    # Then only the entry after its latest ACCEPTED is announced, not the earlier ones again
    assert _summary(_saved(dynamodb)) == [(3, "STOCK_RESERVED")]


def test_a_save_that_moves_nothing_announces_nothing() -> None:
    # Given an order in PAID saved as PAID (a write that changes no status)
    paid = _placed().moved_to(OrderStatus.PAID, PLACED_AT + timedelta(seconds=1))
    dynamodb = RecordingDynamoDb()

    # When it is saved expecting PAID, Then no status change is announced
    _repository(dynamodb).save_change(paid, OrderStatus.PAID, [])
    assert _saved(dynamodb) == []


def test_webhook_messages_are_stored_alongside_the_orders_own_events() -> None:
    # Given an order whose events have their own messages too
    placed = _placed()
    own = status_change_messages(replace(placed, order_id="decoy", callback_url="https://other.example/"), since=0)
    dynamodb = RecordingDynamoDb()
    repository = DynamoDbOrderRepository(dynamodb, "orders", lambda _events: own, now=lambda: PLACED_AT)

    # When it is added
    repository.add(placed, [])

    # Then the events' messages and the order's status change are both in the one write
    assert sorted(event["data"]["orderId"] for event in _added(dynamodb)) == ["decoy", "order-1"]


def test_each_status_change_message_is_its_own_event_correlated_with_its_order() -> None:
    # Given an order two steps along
    order = _placed().moved_to(OrderStatus.PAID, PLACED_AT + timedelta(seconds=1))

    # When its messages are built from the start
    messages = status_change_messages(order, since=0)

    # Then they go to the webhooks route, under distinct ids, correlated by the order id
    assert [message.destination for message in messages] == [WEBHOOKS_DESTINATION] * 2
    assert len({message.event.get_id() for message in messages}) == 2
    assert all(message.event.get_extension(CORRELATION_ID) == "order-1" for message in messages)
    assert status_change_messages(order, since=2) == []
