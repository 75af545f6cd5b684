"""Placing an order: it is stored ACCEPTED, and its request to the kitchen is stored with it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from order_service.adapters.workflows import ChoreographedWorkflow
from order_service.domain.events import OrderEvent, OrderPlaced
from order_service.domain.order import (
    DeliveryAddress,
    Order,
    OrderAlreadyExists,
    OrderItem,
    OrderRuleViolation,
    OrderStatus,
    OrderType,
    PlaceOrder,
)
from order_service.ports import OrderWorkflow
from order_service.use_cases import get_order, place_order, place_order_once
from twins.orders import InMemoryOrderRepository

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
ADDRESS = DeliveryAddress(line1="1 High Street", city="Leeds", postcode="LS1 1AA")


CHOREOGRAPHY = ChoreographedWorkflow()


class RecordingSagaWorkflow(OrderWorkflow):
    """The saga's workflow with its starter replaced by a record of the orders it started."""

    def __init__(self) -> None:
        self.started: list[str] = []

    def events_on_placing(self, order: Order) -> list[OrderEvent]:
        return []

    def start(self, order: Order) -> None:
        self.started.append(order.order_id)


def _place(command: PlaceOrder, orders: InMemoryOrderRepository, workflow: OrderWorkflow = CHOREOGRAPHY) -> Order:
    return place_order(command, orders, workflow, new_order_id=lambda: "order-1", now=lambda: NOW)


def _delivery(address: DeliveryAddress | None = ADDRESS) -> PlaceOrder:
    return PlaceOrder(
        customer_id="customer-7",
        items=(OrderItem("Margherita", 2), OrderItem("Diavola", 1)),
        order_type=OrderType.DELIVERY,
        delivery_address=address,
    )


def test_a_valid_order_is_stored_accepted_with_its_kitchen_request_in_the_same_write() -> None:
    # Given an empty repository
    orders = InMemoryOrderRepository()

    # When a customer places a delivery order
    order = _place(_delivery(), orders)

    # Then the order is stored as ACCEPTED with what the customer asked for
    stored = get_order("order-1", orders)
    assert stored == order
    assert stored.status is OrderStatus.ACCEPTED
    assert stored.customer_id == "customer-7"
    assert stored.items == (OrderItem("Margherita", 2), OrderItem("Diavola", 1))
    assert stored.delivery_address == ADDRESS
    assert stored.placed_at == NOW
    assert stored.acknowledged_at is None
    # And the one event stored with it asks the kitchen to prepare exactly that order
    assert orders.outbox == [OrderPlaced(stored)]


def test_a_collection_order_needs_no_address() -> None:
    # Given a collection order without an address
    command = PlaceOrder(customer_id="customer-7", items=(OrderItem("Margherita", 1),), order_type=OrderType.COLLECTION)
    orders = InMemoryOrderRepository()

    # When it is placed
    order = _place(command, orders)

    # Then it is accepted, and the kitchen will be asked to prepare it
    assert order.status is OrderStatus.ACCEPTED
    assert orders.outbox == [OrderPlaced(order)]


def test_a_delivery_order_without_an_address_is_rejected_and_nothing_is_stored() -> None:
    # Given a delivery order that names no address
    orders = InMemoryOrderRepository()

    # When it is placed
    with pytest.raises(OrderRuleViolation, match="delivery address"):
        _place(_delivery(address=None), orders)

    # Then the domain rule refuses it before anything is written: no order, no event
    assert orders.orders == {}
    assert orders.outbox == []


def test_an_order_without_items_is_rejected_by_the_domain() -> None:
    # Given a command that bypassed the edge validation and has no items
    command = PlaceOrder(customer_id="customer-7", items=(), order_type=OrderType.COLLECTION)
    orders = InMemoryOrderRepository()

    # When it is placed / Then the domain refuses it
    with pytest.raises(OrderRuleViolation, match="at least one item"):
        _place(command, orders)
    assert orders.orders == {}
    assert orders.outbox == []


def test_an_unknown_order_id_finds_nothing() -> None:
    # Given an empty repository / When an order is looked up / Then there is none
    assert get_order("no-such-order", InMemoryOrderRepository()) is None


def test_placing_once_under_a_taken_id_returns_the_stored_order_when_the_command_is_the_same() -> None:
    # Given an order placed under the id its idempotency key names
    orders = InMemoryOrderRepository()
    first = place_order_once(_delivery(), orders, CHOREOGRAPHY, "keyed-order", now=lambda: NOW)

    # When the same command is placed once more under that id (a retry whose response was lost)
    again = place_order_once(_delivery(), orders, CHOREOGRAPHY, "keyed-order", now=lambda: NOW)

    # Then the stored order is the answer, and nothing new is stored or asked of the kitchen
    assert again == first
    assert list(orders.orders) == ["keyed-order"]
    assert orders.outbox == [OrderPlaced(first)]


def test_placing_once_under_a_taken_id_refuses_a_different_command() -> None:
    # Given an order placed under the id its idempotency key names
    orders = InMemoryOrderRepository()
    place_order_once(_delivery(), orders, CHOREOGRAPHY, "keyed-order", now=lambda: NOW)
    other = PlaceOrder(customer_id="customer-7", items=(OrderItem("Diavola", 3),), order_type=OrderType.COLLECTION)

    # When another command comes under the same id / Then it is refused and the stored order is kept
    with pytest.raises(OrderAlreadyExists):
        place_order_once(other, orders, CHOREOGRAPHY, "keyed-order", now=lambda: NOW)
    assert orders.orders["keyed-order"].order_type is OrderType.DELIVERY


def test_with_the_saga_an_order_is_stored_with_no_event_and_its_saga_started_once_stored() -> None:
    # Given the saga workflow
    orders, saga = InMemoryOrderRepository(), RecordingSagaWorkflow()

    # When an order is placed
    order = _place(_delivery(), orders, saga)

    # Then it is stored ACCEPTED with its history begun, nothing is asked of the kitchen through the
    # outbox, and the saga was started for it
    assert orders.orders["order-1"].status is OrderStatus.ACCEPTED
    assert [(c.status, c.at) for c in orders.orders["order-1"].history] == [(OrderStatus.ACCEPTED, NOW)]
    assert orders.outbox == []
    assert saga.started == [order.order_id]


def test_with_the_saga_a_rejected_order_starts_nothing() -> None:
    # Given the saga workflow / When an order breaking a rule is placed
    orders, saga = InMemoryOrderRepository(), RecordingSagaWorkflow()
    with pytest.raises(OrderRuleViolation):
        _place(_delivery(address=None), orders, saga)

    # Then no order is stored and no saga started
    assert orders.orders == {}
    assert saga.started == []


def test_placing_once_again_starts_the_saga_again_for_the_stored_order() -> None:
    # Given an order placed under a key whose first request may have stopped before starting its saga
    orders, saga = InMemoryOrderRepository(), RecordingSagaWorkflow()
    place_order_once(_delivery(), orders, saga, "keyed-order", now=lambda: NOW)

    # When the same request comes again
    place_order_once(_delivery(), orders, saga, "keyed-order", now=lambda: NOW)

    # Then the saga is started again for the same order (its execution name makes that a no-op
    # when the first start went through), and no second order exists
    assert saga.started == ["keyed-order", "keyed-order"]
    assert list(orders.orders) == ["keyed-order"]
