"""The saga's changes to an order: each a step of its history, and each harmless when repeated
(a durable step may run again after a crash before its checkpoint)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from order_service.domain.order import Order, OrderIsFinal, OrderItem, OrderStatus, OrderType, PlaceOrder
from order_service.use_cases import fail_order, record_progress, take_order_for_workflow
from twins.orders import InMemoryOrderRepository

PLACED_AT = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
LATER = datetime(2025, 3, 14, 12, 1, tzinfo=UTC)


def _placed() -> InMemoryOrderRepository:
    orders = InMemoryOrderRepository()
    command = PlaceOrder("customer-7", (OrderItem("Margherita", 1),), OrderType.COLLECTION)
    orders.add(Order.place("order-1", command, PLACED_AT), [])
    return orders


def test_recording_the_same_progress_twice_changes_the_order_once() -> None:
    # Given an order whose stock was reserved
    orders = _placed()
    record_progress("order-1", OrderStatus.STOCK_RESERVED, orders, lambda: LATER)

    # When the same step records it again (a replayed step)
    record_progress("order-1", OrderStatus.STOCK_RESERVED, orders, lambda: LATER)

    # Then its history holds the move once
    order = orders.get("order-1")
    assert order is not None
    assert [c.status for c in order.history] == [OrderStatus.ACCEPTED, OrderStatus.STOCK_RESERVED]


def test_a_failed_order_changes_no_more() -> None:
    # Given a failed order
    orders = _placed()
    fail_order("order-1", "out of stock: Margherita", orders, lambda: LATER)

    # When a late step tries to move it / Then it is refused, and the failure stands
    with pytest.raises(OrderIsFinal):
        record_progress("order-1", OrderStatus.PAID, orders, lambda: LATER)
    assert orders.get("order-1") is not None and orders.orders["order-1"].failure_reason == "out of stock: Margherita"


def test_only_the_first_workflow_takes_an_order() -> None:
    # Given a stored order taken by one execution
    orders = _placed()
    assert take_order_for_workflow("order-1", "execution-1", orders) is not None

    # When the same execution asks again, and a second execution asks
    again = take_order_for_workflow("order-1", "execution-1", orders)
    other = take_order_for_workflow("order-1", "execution-2", orders)

    # Then the first keeps it, and the second gets nothing to do
    assert again is not None
    assert other is None
