"""Raising a delivery alert: a known order is put at the top of the kitchen's list, once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from kitchen_service.domain.delivery_alert import AlertForUnknownOrder, AlertOutcome, DeliveryAlert
from kitchen_service.domain.kitchen_order import Dish, KitchenOrder
from kitchen_service.use_cases import raise_delivery_alert
from twins.kitchen import InMemoryKitchenOrderRepository

RECEIVED_AT = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
FIRST_ALERT_AT = datetime(2025, 3, 14, 13, 0, tzinfo=UTC)
REPEAT_ALERT_AT = datetime(2025, 3, 14, 13, 2, tzinfo=UTC)
DUE_AT = datetime(2025, 3, 14, 13, 30, tzinfo=UTC)
ORDER = KitchenOrder("order-1", "customer-7", (Dish("Margherita", 1),), RECEIVED_AT)


def _kitchen_with_order() -> InMemoryKitchenOrderRepository:
    kitchen_orders = InMemoryKitchenOrderRepository()
    kitchen_orders.add_if_absent(ORDER)
    return kitchen_orders


def test_an_alert_for_a_known_order_is_raised_at_the_kitchens_time() -> None:
    # Given the kitchen has the order
    kitchen_orders = _kitchen_with_order()

    # When its due-soon alert arrives
    outcome = raise_delivery_alert(DeliveryAlert("order-1", DUE_AT), kitchen_orders, now=lambda: FIRST_ALERT_AT)

    # Then the order is flagged as alerted now, and knows when it is due
    assert outcome is AlertOutcome.RAISED
    assert kitchen_orders.orders["order-1"] == replace(ORDER, alerted_at=FIRST_ALERT_AT, due_at=DUE_AT)


def test_a_repeated_alert_is_already_raised_and_changes_nothing() -> None:
    # Given an order that has been alerted
    kitchen_orders = _kitchen_with_order()
    raise_delivery_alert(DeliveryAlert("order-1", DUE_AT), kitchen_orders, now=lambda: FIRST_ALERT_AT)
    before = kitchen_orders.orders["order-1"]

    # When the alert is delivered again
    outcome = raise_delivery_alert(DeliveryAlert("order-1", DUE_AT), kitchen_orders, now=lambda: REPEAT_ALERT_AT)

    # Then it is a repeat, and the order keeps its first alert time
    assert outcome is AlertOutcome.ALREADY_RAISED
    assert kitchen_orders.orders["order-1"] == before
    assert before.alerted_at == FIRST_ALERT_AT


def test_an_alert_for_an_order_the_kitchen_never_received_raises_alert_for_unknown_order() -> None:
    # Given a kitchen holding a different order
    kitchen_orders = _kitchen_with_order()

    # When an alert names an order the kitchen never received
    with pytest.raises(AlertForUnknownOrder, match="never received"):
        raise_delivery_alert(DeliveryAlert("order-404", DUE_AT), kitchen_orders, now=lambda: FIRST_ALERT_AT)

    # Then nothing is created or changed
    assert kitchen_orders.orders == {"order-1": ORDER}
