"""Recording the kitchen's acknowledgement: ACCEPTED → ACKNOWLEDGED, once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from order_service.adapters.in_memory import InMemoryOrderRepository
from order_service.domain.acknowledgement import AcknowledgementOutcome, KitchenAcknowledgement, UnknownOrder
from order_service.domain.order import Order, OrderItem, OrderStatus, OrderType, PlaceOrder
from order_service.use_cases import acknowledge_order

PLACED_AT = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
FIRST_ACK_AT = datetime(2025, 3, 14, 12, 1, tzinfo=UTC)
SECOND_ACK_AT = datetime(2025, 3, 14, 12, 5, tzinfo=UTC)


def _repository_with_accepted_order(order_id: str = "order-1") -> InMemoryOrderRepository:
    command = PlaceOrder(customer_id="customer-7", items=(OrderItem("Margherita", 1),), order_type=OrderType.COLLECTION)
    orders = InMemoryOrderRepository()
    orders.add(Order.place(order_id, command, PLACED_AT))
    return orders


def test_an_acknowledgement_moves_an_accepted_order_to_acknowledged() -> None:
    # Given an ACCEPTED order
    orders = _repository_with_accepted_order()

    # When the kitchen acknowledges it
    outcome = acknowledge_order(KitchenAcknowledgement("order-1", FIRST_ACK_AT), orders)

    # Then it is ACKNOWLEDGED at the kitchen's time
    assert outcome is AcknowledgementOutcome.ACKNOWLEDGED
    order = orders.get("order-1")
    assert order is not None
    assert order.status is OrderStatus.ACKNOWLEDGED
    assert order.acknowledged_at == FIRST_ACK_AT
    assert order.placed_at == PLACED_AT


def test_a_repeated_acknowledgement_is_already_acknowledged_and_changes_nothing() -> None:
    # Given an order the kitchen has already acknowledged
    orders = _repository_with_accepted_order()
    acknowledge_order(KitchenAcknowledgement("order-1", FIRST_ACK_AT), orders)
    before = orders.get("order-1")

    # When the acknowledgement is redelivered later
    outcome = acknowledge_order(KitchenAcknowledgement("order-1", SECOND_ACK_AT), orders)

    # Then it is recognised as a repeat and the order keeps its first acknowledgement time
    assert outcome is AcknowledgementOutcome.ALREADY_ACKNOWLEDGED
    assert orders.get("order-1") == before
    assert before is not None
    assert before.acknowledged_at == FIRST_ACK_AT


def test_an_acknowledgement_for_an_unknown_order_raises_unknown_order() -> None:
    # Given a repository holding a different order
    orders = _repository_with_accepted_order("order-1")

    # When an acknowledgement names an order this service never took
    with pytest.raises(UnknownOrder, match="order-404"):
        acknowledge_order(KitchenAcknowledgement("order-404", FIRST_ACK_AT), orders)

    # Then no order is created or changed
    assert set(orders.orders) == {"order-1"}
    assert orders.orders["order-1"].status is OrderStatus.ACCEPTED
