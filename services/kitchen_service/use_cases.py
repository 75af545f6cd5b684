"""The kitchen's use cases: pure functions over ports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kitchen_service.domain.delivery_alert import AlertForUnknownOrder, AlertOutcome, DeliveryAlert
from kitchen_service.domain.kitchen_order import OrderToPrepare, OvenFailure, start_preparing
from kitchen_service.ports import Acknowledgements, KitchenOrderRepository


@dataclass(frozen=True)
class AcceptanceOutcome:
    order_id: str
    created: bool  # False: a redelivery of an order the kitchen already has
    acknowledged: bool
    refused: bool = False


def accept_order(
    order: OrderToPrepare,
    kitchen_orders: KitchenOrderRepository,
    acknowledgements: Acknowledgements,
    now: Callable[[], datetime],
    uncookable_pizza: str | None = None,
) -> AcceptanceOutcome:
    """Record the order once, then acknowledge it (or, for a saga, refuse what it cannot make).

    A redelivered order creates nothing new but is acknowledged again: the first delivery may
    have stored the order and then failed before its reply went out. A saga's callback answered
    twice keeps its first answer.
    """
    try:
        kitchen_order = start_preparing(order, now(), uncookable_pizza)
    except OvenFailure as failure:
        if order.callback_id is None:
            raise
        acknowledgements.refuse(order.callback_id, str(failure))
        return AcceptanceOutcome(order.order_id, created=False, acknowledged=False, refused=True)
    created = kitchen_orders.add_if_absent(kitchen_order)
    if order.reply_to:
        acknowledgements.acknowledge(order.order_id, order.reply_to)
    if order.callback_id:
        acknowledgements.answer(order.callback_id, order.order_id, kitchen_order.received_at)
    return AcceptanceOutcome(order.order_id, created=created, acknowledged=bool(order.reply_to or order.callback_id))


def raise_delivery_alert(
    alert: DeliveryAlert, kitchen_orders: KitchenOrderRepository, now: Callable[[], datetime]
) -> AlertOutcome:
    """Put a delivery order that is due soon at the top of the kitchen's list, once."""
    outcome = kitchen_orders.mark_alerted(alert, now())
    if outcome is AlertOutcome.UNKNOWN_ORDER:
        raise AlertForUnknownOrder("the alert names an order the kitchen never received")
    return outcome
