"""Placing an order: it is stored ACCEPTED, then sent to the kitchen exactly once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from order_service.adapters.in_memory import InMemoryKitchenGateway, InMemoryOrderRepository
from order_service.domain.order import (
    DeliveryAddress,
    KitchenUnavailable,
    Order,
    OrderItem,
    OrderRuleViolation,
    OrderStatus,
    OrderType,
    PlaceOrder,
)
from order_service.use_cases import get_order, place_order

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
ADDRESS = DeliveryAddress(line1="1 High Street", city="Leeds", postcode="LS1 1AA")


def _place(command: PlaceOrder, orders: InMemoryOrderRepository, kitchen: InMemoryKitchenGateway) -> Order:
    return place_order(command, orders, kitchen, new_order_id=lambda: "order-1", now=lambda: NOW)


def _delivery(address: DeliveryAddress | None = ADDRESS) -> PlaceOrder:
    return PlaceOrder(
        customer_id="customer-7",
        items=(OrderItem("Margherita", 2), OrderItem("Diavola", 1)),
        order_type=OrderType.DELIVERY,
        delivery_address=address,
    )


def test_a_valid_order_is_stored_accepted_and_sent_to_the_kitchen_once() -> None:
    # Given an empty repository and a working kitchen channel
    orders, kitchen = InMemoryOrderRepository(), InMemoryKitchenGateway()

    # When a customer places a delivery order
    order = _place(_delivery(), orders, kitchen)

    # Then the order is stored as ACCEPTED with what the customer asked for
    stored = get_order("order-1", orders)
    assert stored == order
    assert stored.status is OrderStatus.ACCEPTED
    assert stored.customer_id == "customer-7"
    assert stored.items == (OrderItem("Margherita", 2), OrderItem("Diavola", 1))
    assert stored.delivery_address == ADDRESS
    assert stored.placed_at == NOW
    assert stored.acknowledged_at is None
    # And the kitchen is asked to prepare exactly that order, once
    assert kitchen.requested == [stored]


def test_a_collection_order_needs_no_address() -> None:
    # Given a collection order without an address
    command = PlaceOrder(customer_id="customer-7", items=(OrderItem("Margherita", 1),), order_type=OrderType.COLLECTION)
    orders, kitchen = InMemoryOrderRepository(), InMemoryKitchenGateway()

    # When it is placed
    order = _place(command, orders, kitchen)

    # Then it is accepted and sent
    assert order.status is OrderStatus.ACCEPTED
    assert kitchen.requested == [order]


def test_a_delivery_order_without_an_address_is_rejected_and_nothing_is_stored_or_sent() -> None:
    # Given a delivery order that names no address
    orders, kitchen = InMemoryOrderRepository(), InMemoryKitchenGateway()

    # When it is placed
    with pytest.raises(OrderRuleViolation, match="delivery address"):
        _place(_delivery(address=None), orders, kitchen)

    # Then the domain rule refuses it before anything happens
    assert orders.orders == {}
    assert kitchen.requested == []


def test_an_order_without_items_is_rejected_by_the_domain() -> None:
    # Given a command that bypassed the edge validation and has no items
    command = PlaceOrder(customer_id="customer-7", items=(), order_type=OrderType.COLLECTION)
    orders, kitchen = InMemoryOrderRepository(), InMemoryKitchenGateway()

    # When it is placed / Then the domain refuses it
    with pytest.raises(OrderRuleViolation, match="at least one item"):
        _place(command, orders, kitchen)
    assert orders.orders == {}


def test_a_kitchen_send_failure_keeps_no_order_and_tells_the_caller_to_retry() -> None:
    # Given a kitchen channel that is down
    orders = InMemoryOrderRepository()
    kitchen = InMemoryKitchenGateway(fail_with=ConnectionError("kitchen queue unavailable"))

    # When an order is placed
    with pytest.raises(KitchenUnavailable) as raised:
        _place(_delivery(), orders, kitchen)

    # Then the caller learns the kitchen was unreachable (with the cause kept for the logs)
    assert isinstance(raised.value.__cause__, ConnectionError)
    # And the order stored before the send was removed again: nothing is left half-done
    assert get_order("order-1", orders) is None
    assert kitchen.requested == []


def test_removing_an_unsent_order_never_removes_one_the_kitchen_acknowledged() -> None:
    # Given an order that the kitchen has already acknowledged
    orders = InMemoryOrderRepository()
    order = _place(_delivery(), orders, InMemoryKitchenGateway())
    orders.mark_acknowledged(order.order_id, NOW)

    # When a late compensation tries to remove it
    orders.remove_unsent(order.order_id)

    # Then it is kept
    assert get_order(order.order_id, orders) is not None


def test_an_unknown_order_id_finds_nothing() -> None:
    # Given an empty repository / When an order is looked up / Then there is none
    assert get_order("no-such-order", InMemoryOrderRepository()) is None
