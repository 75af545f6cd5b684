"""Delivery rules of the order: when it is due, and the address kept out of logs and reprs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from order_service.domain.order import (
    DeliveryAddress,
    Order,
    OrderItem,
    OrderRuleViolation,
    OrderType,
    PlaceOrder,
)

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
ADDRESS = DeliveryAddress(line1="1 High Street", line2="Flat 2", city="Leeds", postcode="LS1 1AA")


def _delivery(due_at: datetime | None = None) -> PlaceOrder:
    return PlaceOrder(
        customer_id="customer-7",
        items=(OrderItem("Margherita", 1),),
        order_type=OrderType.DELIVERY,
        delivery_address=ADDRESS,
        delivery_due_at=due_at,
    )


def test_a_delivery_order_naming_no_time_is_due_45_minutes_after_it_is_placed() -> None:
    # Given a delivery order without a due time / When it is placed at noon
    order = Order.place("order-1", _delivery(), NOW)

    # Then it is due at 12:45
    assert order.delivery_due_at == datetime(2025, 3, 14, 12, 45, tzinfo=UTC)


@pytest.mark.parametrize(
    "due_in",
    [timedelta(minutes=1), timedelta(hours=5), timedelta(days=2)],
    ids=["in a minute", "tonight", "exactly two days ahead"],
)
def test_a_delivery_order_may_name_a_time_within_the_next_two_days(due_in: timedelta) -> None:
    # Given a delivery order due within the next two days / When it is placed
    order = Order.place("order-1", _delivery(NOW + due_in), NOW)

    # Then it is due at the time the customer named
    assert order.delivery_due_at == NOW + due_in


@pytest.mark.parametrize(
    "due_at",
    [NOW - timedelta(minutes=5), NOW],
    ids=["five minutes ago", "right now"],
)
def test_a_delivery_time_that_is_not_in_the_future_is_rejected(due_at: datetime) -> None:
    # Given a delivery order due at a time that has come already
    # When it is placed / Then the domain refuses it
    with pytest.raises(OrderRuleViolation, match="in the future"):
        Order.place("order-1", _delivery(due_at), NOW)


def test_a_delivery_time_more_than_two_days_ahead_is_rejected() -> None:
    # Given a delivery order due two days and a minute from now
    # When it is placed / Then the domain refuses it
    with pytest.raises(OrderRuleViolation, match="within the next 2 days"):
        Order.place("order-1", _delivery(NOW + timedelta(days=2, minutes=1)), NOW)


def test_a_collection_order_has_no_due_time() -> None:
    # Given a collection order / When it is placed / Then nothing is due
    command = PlaceOrder(customer_id="customer-7", items=(OrderItem("Margherita", 1),), order_type=OrderType.COLLECTION)
    assert Order.place("order-1", command, NOW).delivery_due_at is None


def test_a_collection_order_naming_a_due_time_is_rejected() -> None:
    # Given a collection order that names a delivery time
    command = PlaceOrder(
        customer_id="customer-7",
        items=(OrderItem("Margherita", 1),),
        order_type=OrderType.COLLECTION,
        delivery_due_at=NOW + timedelta(hours=1),
    )

    # When it is placed / Then the domain refuses it: there is nothing to deliver
    with pytest.raises(OrderRuleViolation, match="only allowed for a delivery order"):
        Order.place("order-1", command, NOW)


def test_the_repr_of_an_address_shows_no_part_of_it() -> None:
    # Given a delivery address (personal data), and an order carrying it
    order = Order.place("order-1", _delivery(), NOW)

    # When either is rendered for a log line or a traceback
    rendered = repr(ADDRESS) + repr(order)

    # Then no part of the address shows
    for part in ("1 High Street", "High Street", "Flat 2", "Leeds", "LS1 1AA"):
        assert part not in rendered
    assert "order-1" in rendered
