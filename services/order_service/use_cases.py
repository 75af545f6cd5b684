"""The order service's use cases: pure functions over ports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from order_service.domain.acknowledgement import AcknowledgementOutcome, KitchenAcknowledgement, UnknownOrder
from order_service.domain.order import KitchenUnavailable, Order, OrderType, PlaceOrder
from order_service.ports import KitchenAlerts, KitchenGateway, OrderEvents, OrderRepository


def place_order(
    command: PlaceOrder,
    orders: OrderRepository,
    kitchen: KitchenGateway,
    new_order_id: Callable[[], str],
    now: Callable[[], datetime],
) -> Order:
    """Accept the order, store it, then ask the kitchen to prepare it.

    Store first, so the kitchen never works on an order nobody recorded. If the kitchen cannot be
    reached, the stored order is removed again and :class:`KitchenUnavailable` tells the caller
    to retry: no order is left ACCEPTED that nobody will cook. (Two writes that must both happen
    are what the transactional outbox solves properly; this is the compensation until then.)
    """
    order = Order.place(new_order_id(), command, now())
    orders.add(order)
    try:
        kitchen.request_preparation(order)
    except Exception as error:
        orders.remove_unsent(order.order_id)
        raise KitchenUnavailable(f"the kitchen could not be reached for order {order.order_id}") from error
    return order


def get_order(order_id: str, orders: OrderRepository) -> Order | None:
    return orders.get(order_id)


def acknowledge_order(
    acknowledgement: KitchenAcknowledgement,
    orders: OrderRepository,
    events: OrderEvents,
    kitchen_alerts: KitchenAlerts,
    alert_lead_time: timedelta,
) -> AcknowledgementOutcome:
    """Record the kitchen's acknowledgement, announce the confirmed order, and, for a delivery,
    have the kitchen alerted ``alert_lead_time`` before it is due.

    Idempotent: a repeat is ALREADY_ACKNOWLEDGED. It still announces and schedules, because a
    repeat may be the retry of a delivery whose announcement failed after the state change; the
    event and the schedule are keyed on the order, so their repeats change nothing downstream.
    (The transactional outbox makes the state change and its event one write.)
    """
    outcome = orders.mark_acknowledged(acknowledgement.order_id, acknowledgement.acknowledged_at)
    order = orders.get(acknowledgement.order_id)
    if outcome is AcknowledgementOutcome.UNKNOWN_ORDER or order is None:
        raise UnknownOrder(f"acknowledgement for unknown order {acknowledgement.order_id}")
    events.order_confirmed(order)
    if order.order_type is OrderType.DELIVERY and order.delivery_due_at is not None:
        kitchen_alerts.alert_at(order, order.delivery_due_at - alert_lead_time)
    return outcome
