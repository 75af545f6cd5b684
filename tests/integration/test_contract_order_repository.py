"""Contract of the OrderRepository port: its twin and its DynamoDB adapter keep orders alike.

Each case also says which events are pending for an order (stored with its writes, not yet sent),
by kind and in the order stored, so "a write and its events: both or neither" is checked on both.

The DynamoDB case uses a table of its own, shaped like the deployed ``orders`` table: the deployed
one's stream feeds the live outbox relay, which would send these test events on and race the tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from contract_support import DYNAMODB, IMPLEMENTATIONS, emulator, new_id
from integration_support import AwsClients

from integration_patterns.cloudevents_envelope import EventType, new_event
from integration_patterns.outbox import OutboxMessage
from order_service.adapters.dynamodb_order_repository import DynamoDbOrderRepository
from order_service.domain.events import DeliveryDueSoon, OrderConfirmed, OrderEvent, OrderPlaced
from order_service.domain.order import (
    DeliveryAddress,
    Order,
    OrderAlreadyExists,
    OrderItem,
    OrderStatus,
    OrderType,
    PlaceOrder,
    SalesChannel,
)
from order_service.ports import OrderRepository
from twins.orders import InMemoryOrderRepository

PLACED_AT = datetime(2025, 3, 14, 12, 0, 0, 123456, tzinfo=UTC)
FIRST_ACK_AT = datetime(2025, 3, 14, 12, 1, tzinfo=UTC)
SECOND_ACK_AT = datetime(2025, 3, 14, 12, 5, tzinfo=UTC)
DUE_AT = datetime(2025, 3, 14, 13, 30, tzinfo=UTC)
ADDRESS = DeliveryAddress(line1="1 Crust Street", city="Naples", postcode="80100")
EVENT_KIND = "kind"


@dataclass
class Orders:
    repository: OrderRepository
    pending: Callable[[str], list[str]]  # kinds of the order's pending events, oldest first


def _messages(events: Sequence[OrderEvent]) -> list[OutboxMessage]:
    # Stand-ins for the real CloudEvents: their content is the outbox relay's business, not the port's.
    return [
        OutboxMessage(
            "contract-tests",
            new_event(EventType("com.pizza.contract.test", 1), "/tests", {EVENT_KIND: type(event).__name__}),
        )
        for event in events
    ]


@pytest.fixture(scope="module")
def orders_table(request: pytest.FixtureRequest) -> Iterator[str]:
    """A table keyed like the deployed orders table, with no stream (so no relay), dropped afterwards."""
    aws: AwsClients = emulator(request)
    deployed = aws.dynamodb.describe_table(TableName=aws.table("orders"))["Table"]
    name = new_id("orders-contract")
    aws.dynamodb.create_table(
        TableName=name,
        KeySchema=deployed["KeySchema"],
        AttributeDefinitions=deployed["AttributeDefinitions"],
        BillingMode="PAY_PER_REQUEST",
    )
    aws.dynamodb.get_waiter("table_exists").wait(TableName=name)
    yield name
    aws.dynamodb.delete_table(TableName=name)


@pytest.fixture(params=IMPLEMENTATIONS)
def orders(request: pytest.FixtureRequest) -> Orders:
    if request.param == DYNAMODB:
        aws = emulator(request)
        table = request.getfixturevalue("orders_table")

        def stored_events(order_id: str) -> list[str]:
            item = aws.dynamodb.get_item(TableName=table, Key={"orderId": {"S": order_id}}, ConsistentRead=True)
            entries = [entry["M"] for entry in item.get("Item", {}).get("outbox", {}).get("M", {}).values()]
            entries.sort(key=lambda entry: (entry["storedAt"]["S"], int(entry["position"]["N"])))
            return [json.loads(entry["event"]["S"])["data"][EVENT_KIND] for entry in entries]

        return Orders(DynamoDbOrderRepository(aws.dynamodb, table, _messages), stored_events)
    twin = InMemoryOrderRepository()

    def kept_events(order_id: str) -> list[str]:
        return [type(event).__name__ for event in twin.outbox if event.order.order_id == order_id]

    return Orders(twin, kept_events)


def _collection(order_id: str) -> Order:
    command = PlaceOrder("customer-7", (OrderItem("Margherita", 2),), OrderType.COLLECTION)
    return Order.place(order_id, command, PLACED_AT)


def _delivery(order_id: str) -> Order:
    command = PlaceOrder(
        customer_id="customer-8",
        items=(OrderItem("Diavola", 1), OrderItem("Quattro Formaggi", 3)),
        order_type=OrderType.DELIVERY,
        delivery_address=replace(ADDRESS, line2="Flat 2"),
        delivery_due_at=DUE_AT,
        sales_channel=SalesChannel.APP,
    )
    return Order.place(order_id, command, PLACED_AT)


def _confirmed(order: Order) -> list[OrderEvent]:
    return [OrderConfirmed(order), DeliveryDueSoon(order, DUE_AT - timedelta(minutes=30))]


def test_an_order_never_stored_is_none(orders: Orders) -> None:
    # Given an order id nobody used
    order_id = new_id("order")

    # When the order is read
    found = orders.repository.get(order_id)

    # Then there is none (None, not an error)
    assert found is None


@pytest.mark.parametrize("make", [_collection, _delivery], ids=["collection", "delivery"])
def test_a_stored_order_reads_back_as_it_was_stored_with_its_events_pending(
    orders: Orders, make: Callable[[str], Order]
) -> None:
    # Given a new order
    order = make(new_id("order"))

    # When it is stored with the event announcing it
    orders.repository.add(order, [OrderPlaced(order)])

    # Then it reads back equal, every field, and its event is pending
    assert orders.repository.get(order.order_id) == order
    assert orders.pending(order.order_id) == ["OrderPlaced"]


def test_an_order_id_taken_already_is_refused_and_nothing_is_written(orders: Orders) -> None:
    # Given a stored order
    order = _collection(new_id("order"))
    orders.repository.add(order, [OrderPlaced(order)])

    # When another order is stored under its id
    other = _delivery(order.order_id)
    # Then it is refused
    with pytest.raises(OrderAlreadyExists):
        orders.repository.add(other, [OrderPlaced(other)])
    # And the first order stands, with only its own event pending
    assert orders.repository.get(order.order_id) == order
    assert orders.pending(order.order_id) == ["OrderPlaced"]


def test_an_accepted_order_is_acknowledged_with_its_events(orders: Orders) -> None:
    # Given an accepted order
    order = _delivery(new_id("order"))
    orders.repository.add(order, [OrderPlaced(order)])

    # When its acknowledgement is saved with the events announcing it
    acknowledged = order.acknowledge(FIRST_ACK_AT)
    saved = orders.repository.save_change(acknowledged, OrderStatus.ACCEPTED, _confirmed(acknowledged))

    # Then it was saved: the order reads back acknowledged, and its events are pending after the first
    assert saved is True
    found = orders.repository.get(order.order_id)
    assert found == acknowledged
    assert found is not None and found.status is OrderStatus.ACKNOWLEDGED
    assert orders.pending(order.order_id) == ["OrderPlaced", "OrderConfirmed", "DeliveryDueSoon"]


def test_an_order_acknowledged_already_is_not_acknowledged_again(orders: Orders) -> None:
    # Given an acknowledged order
    order = _collection(new_id("order"))
    orders.repository.add(order, [OrderPlaced(order)])
    first = order.acknowledge(FIRST_ACK_AT)
    orders.repository.save_change(first, OrderStatus.ACCEPTED, [OrderConfirmed(first)])

    # When a second acknowledgement is saved (a concurrent one that read it still accepted)
    second = order.acknowledge(SECOND_ACK_AT)
    saved = orders.repository.save_change(second, OrderStatus.ACCEPTED, [OrderConfirmed(second)])

    # Then nothing is written: the first acknowledgement stands, and its events are not stored twice
    assert saved is False
    assert orders.repository.get(order.order_id) == first
    assert orders.pending(order.order_id) == ["OrderPlaced", "OrderConfirmed"]


def test_an_acknowledgement_of_an_order_never_stored_writes_nothing(orders: Orders) -> None:
    # Given an order that was never stored
    order = _collection(new_id("order"))

    # When its acknowledgement is saved
    acknowledged = order.acknowledge(FIRST_ACK_AT)
    saved = orders.repository.save_change(acknowledged, OrderStatus.ACCEPTED, [OrderConfirmed(acknowledged)])

    # Then nothing is written: no order is made up, and no event is pending
    assert saved is False
    assert orders.repository.get(order.order_id) is None
    assert orders.pending(order.order_id) == []


def test_a_saga_failure_is_stored_with_its_reason_and_the_whole_history(orders: Orders) -> None:
    # Given an order the saga moved on twice
    order = _collection(new_id("order"))
    orders.repository.add(order, [])
    reserved = order.moved_to(OrderStatus.STOCK_RESERVED, FIRST_ACK_AT)
    assert orders.repository.save_change(reserved, OrderStatus.ACCEPTED, []) is True

    # When it fails with a reason
    failed = reserved.fail("payment declined: over the limit", SECOND_ACK_AT)
    saved = orders.repository.save_change(failed, OrderStatus.STOCK_RESERVED, [])

    # Then it reads back FAILED with its reason, and every status it went through, in order, with when
    assert saved is True
    found = orders.repository.get(order.order_id)
    assert found == failed
    assert found is not None and [(c.status, c.at, c.reason) for c in found.history] == [
        (OrderStatus.ACCEPTED, order.placed_at, None),
        (OrderStatus.STOCK_RESERVED, FIRST_ACK_AT, None),
        (OrderStatus.FAILED, SECOND_ACK_AT, "payment declined: over the limit"),
    ]


def test_a_change_from_a_status_the_order_is_no_longer_in_writes_nothing(orders: Orders) -> None:
    # Given an order that moved on from ACCEPTED
    order = _collection(new_id("order"))
    orders.repository.add(order, [])
    orders.repository.save_change(order.moved_to(OrderStatus.STOCK_RESERVED, FIRST_ACK_AT), OrderStatus.ACCEPTED, [])

    # When a change that expects it still ACCEPTED is saved
    saved = orders.repository.save_change(order.fail("late", SECOND_ACK_AT), OrderStatus.ACCEPTED, [])

    # Then nothing is written
    assert saved is False
    found = orders.repository.get(order.order_id)
    assert found is not None and found.status is OrderStatus.STOCK_RESERVED


def test_one_workflow_claims_an_order_and_a_second_one_is_refused(orders: Orders) -> None:
    # Given a stored order
    order = _collection(new_id("order"))
    orders.repository.add(order, [])

    # When a workflow claims it, claims it again, and another one tries
    first = orders.repository.claim(order.order_id, "execution-1")
    again = orders.repository.claim(order.order_id, "execution-1")
    second = orders.repository.claim(order.order_id, "execution-2")

    # Then the first has it (a repeat is fine) and the second does not; an order never stored is nobody's
    assert (first, again, second) == (True, True, False)
    assert orders.repository.claim(new_id("order"), "execution-1") is False
