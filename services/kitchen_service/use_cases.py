"""The kitchen's use cases: pure functions over ports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kitchen_service.domain.delivery_alert import AlertForUnknownOrder, AlertOutcome, DeliveryAlert
from kitchen_service.domain.kitchen_order import OrderToPrepare, start_preparing
from kitchen_service.ports import Acknowledgements, KitchenOrderRepository


@dataclass(frozen=True)
class AcceptanceOutcome:
    order_id: str
    created: bool  # False: a redelivery of an order the kitchen already has
    acknowledged: bool


def accept_order(
    order: OrderToPrepare,
    kitchen_orders: KitchenOrderRepository,
    acknowledgements: Acknowledgements,
    now: Callable[[], datetime],
    uncookable_pizza: str | None = None,
) -> AcceptanceOutcome:
    """Record the order once, then acknowledge it.

    A redelivered order creates nothing new but is acknowledged again: the first delivery may
    have stored the order and then failed before its reply went out.
    """
    kitchen_order = start_preparing(order, now(), uncookable_pizza)
    created = kitchen_orders.add_if_absent(kitchen_order)
    if order.reply_to:
        acknowledgements.acknowledge(order.order_id, order.reply_to)
    return AcceptanceOutcome(order.order_id, created=created, acknowledged=bool(order.reply_to))


def raise_delivery_alert(
    alert: DeliveryAlert, kitchen_orders: KitchenOrderRepository, now: Callable[[], datetime]
) -> AlertOutcome:
    """Put a delivery order that is due soon at the top of the kitchen's list, once."""
    outcome = kitchen_orders.mark_alerted(alert, now())
    if outcome is AlertOutcome.UNKNOWN_ORDER:
        raise AlertForUnknownOrder("the alert names an order the kitchen never received")
    return outcome
