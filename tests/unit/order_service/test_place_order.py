"""Placing an order: it is stored ACCEPTED, and its request to the kitchen is stored with it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from order_service.domain.events import OrderPlaced
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
from order_service.use_cases import get_order, place_order, place_order_once
from twins.orders import InMemoryOrderRepository

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
ADDRESS = DeliveryAddress(line1="1 High Street", city="Leeds", postcode="LS1 1AA")


def _place(command: PlaceOrder, orders: InMemoryOrderRepository) -> Order:
    return place_order(command, orders, new_order_id=lambda: "order-1", now=lambda: NOW)


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
    first = place_order_once(_delivery(), orders, "keyed-order", now=lambda: NOW)

    # When the same command is placed once more under that id (a retry whose response was lost)
    again = place_order_once(_delivery(), orders, "keyed-order", now=lambda: NOW)

    # Then the stored order is the answer, and nothing new is stored or asked of the kitchen
    assert again == first
    assert list(orders.orders) == ["keyed-order"]
    assert orders.outbox == [OrderPlaced(first)]


def test_placing_once_under_a_taken_id_refuses_a_different_command() -> None:
    # Given an order placed under the id its idempotency key names
    orders = InMemoryOrderRepository()
    place_order_once(_delivery(), orders, "keyed-order", now=lambda: NOW)
    other = PlaceOrder(customer_id="customer-7", items=(OrderItem("Diavola", 3),), order_type=OrderType.COLLECTION)

    # When another command comes under the same id / Then it is refused and the stored order is kept
    with pytest.raises(OrderAlreadyExists):
        place_order_once(other, orders, "keyed-order", now=lambda: NOW)
    assert orders.orders["keyed-order"].order_type is OrderType.DELIVERY
