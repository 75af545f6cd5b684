"""Recording the kitchen's acknowledgement: ACCEPTED → ACKNOWLEDGED once, with its announcements
(order confirmed; for deliveries, the kitchen alert) stored in the same write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from order_service.domain.acknowledgement import AcknowledgementOutcome, KitchenAcknowledgement, UnknownOrder
from order_service.domain.events import DeliveryDueSoon, OrderConfirmed, OrderEvent, OrderPlaced
from order_service.domain.order import DeliveryAddress, Order, OrderItem, OrderStatus, OrderType, PlaceOrder
from order_service.use_cases import acknowledge_order
from twins.orders import InMemoryOrderRepository

PLACED_AT = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
FIRST_ACK_AT = datetime(2025, 3, 14, 12, 1, tzinfo=UTC)
SECOND_ACK_AT = datetime(2025, 3, 14, 12, 5, tzinfo=UTC)
DUE_AT = datetime(2025, 3, 14, 13, 30, tzinfo=UTC)
LEAD_TIME = timedelta(minutes=30)
ADDRESS = DeliveryAddress(line1="1 High Street", city="Leeds", postcode="LS1 1AA")


class AcknowledgedConcurrently(InMemoryOrderRepository):
    """Another copy of the acknowledgement wins between this one's read and its write."""

    def save_change(self, order: Order, expected: OrderStatus, events: Sequence[OrderEvent]) -> bool:
        super().save_change(order, expected, events)
        return False


def _collection() -> PlaceOrder:
    return PlaceOrder(customer_id="customer-7", items=(OrderItem("Margherita", 1),), order_type=OrderType.COLLECTION)


def _delivery() -> PlaceOrder:
    return PlaceOrder(
        customer_id="customer-7",
        items=(OrderItem("Margherita", 1),),
        order_type=OrderType.DELIVERY,
        delivery_address=ADDRESS,
        delivery_due_at=DUE_AT,
    )


def _repository_with_accepted_order(
    order_id: str = "order-1", command: PlaceOrder | None = None, orders: InMemoryOrderRepository | None = None
) -> InMemoryOrderRepository:
    orders = orders if orders is not None else InMemoryOrderRepository()
    order = Order.place(order_id, command or _collection(), PLACED_AT)
    orders.add(order, [OrderPlaced(order)])
    return orders


def _acknowledge(order_id: str, at: datetime, orders: InMemoryOrderRepository) -> AcknowledgementOutcome:
    return acknowledge_order(KitchenAcknowledgement(order_id, at), orders, LEAD_TIME)


def _announced_since_placing(orders: InMemoryOrderRepository) -> list[OrderEvent]:
    return [event for event in orders.outbox if not isinstance(event, OrderPlaced)]


def test_an_acknowledgement_moves_an_accepted_order_to_acknowledged() -> None:
    # Given an ACCEPTED order
    orders = _repository_with_accepted_order()

    # When the kitchen acknowledges it
    outcome = _acknowledge("order-1", FIRST_ACK_AT, orders)

    # Then it is ACKNOWLEDGED at the kitchen's time
    assert outcome is AcknowledgementOutcome.ACKNOWLEDGED
    order = orders.get("order-1")
    assert order is not None
    assert order.status is OrderStatus.ACKNOWLEDGED
    assert order.acknowledged_at == FIRST_ACK_AT
    assert order.placed_at == PLACED_AT


def test_an_acknowledgement_stores_the_confirmed_order_announcement_with_the_state_change() -> None:
    # Given an ACCEPTED collection order
    orders = _repository_with_accepted_order()

    # When the kitchen acknowledges it
    _acknowledge("order-1", FIRST_ACK_AT, orders)

    # Then the order, as acknowledged, is to be announced once; nobody is alerted for a collection
    acknowledged = orders.get("order-1")
    assert acknowledged is not None
    assert _announced_since_placing(orders) == [OrderConfirmed(acknowledged)]


def test_a_repeated_acknowledgement_changes_nothing_and_announces_nothing_again() -> None:
    # Given an order the kitchen has already acknowledged (its announcement stored with it)
    orders = _repository_with_accepted_order()
    _acknowledge("order-1", FIRST_ACK_AT, orders)
    before = orders.get("order-1")

    # When the acknowledgement is redelivered later
    outcome = _acknowledge("order-1", SECOND_ACK_AT, orders)

    # Then it is a repeat: the first acknowledgement time is kept and no second event is stored,
    # because the first one's events were written with it and the outbox sends them
    assert outcome is AcknowledgementOutcome.ALREADY_ACKNOWLEDGED
    assert orders.get("order-1") == before
    assert before is not None and before.acknowledged_at == FIRST_ACK_AT
    assert _announced_since_placing(orders) == [OrderConfirmed(before)]


def test_losing_a_race_with_a_concurrent_acknowledgement_is_a_repeat() -> None:
    # Given an ACCEPTED order whose conditional write loses to a concurrent copy
    orders = _repository_with_accepted_order(orders=AcknowledgedConcurrently())

    # When this copy tries to record it / Then it is reported as already acknowledged
    assert _acknowledge("order-1", FIRST_ACK_AT, orders) is AcknowledgementOutcome.ALREADY_ACKNOWLEDGED


def test_a_delivery_order_has_the_kitchen_alerted_the_lead_time_before_it_is_due() -> None:
    # Given an ACCEPTED delivery order due at 13:30
    orders = _repository_with_accepted_order(command=_delivery())

    # When the kitchen acknowledges it (lead time 30 minutes)
    _acknowledge("order-1", FIRST_ACK_AT, orders)

    # Then the confirmation and an alert at 13:00 are stored, in that order
    acknowledged = orders.get("order-1")
    assert acknowledged is not None
    assert _announced_since_placing(orders) == [
        OrderConfirmed(acknowledged),
        DeliveryDueSoon(acknowledged, datetime(2025, 3, 14, 13, 0, tzinfo=UTC)),
    ]


def test_an_acknowledgement_for_an_unknown_order_raises_unknown_order_and_stores_nothing() -> None:
    # Given a repository holding a different order
    orders = _repository_with_accepted_order("order-1")

    # When an acknowledgement names an order this service never took
    with pytest.raises(UnknownOrder, match="never took"):
        _acknowledge("order-404", FIRST_ACK_AT, orders)

    # Then no order is created or changed, and nothing is to be announced
    assert set(orders.orders) == {"order-1"}
    assert orders.orders["order-1"].status is OrderStatus.ACCEPTED
    assert _announced_since_placing(orders) == []
