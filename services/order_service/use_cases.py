"""The order service's use cases: pure functions over ports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from order_service.domain.acknowledgement import AcknowledgementOutcome, KitchenAcknowledgement, UnknownOrder
from order_service.domain.events import DeliveryDueSoon, OrderConfirmed, OrderEvent, OrderPlaced
from order_service.domain.order import Order, OrderAlreadyExists, OrderStatus, OrderType, PlaceOrder
from order_service.ports import OrderRepository


def place_order(
    command: PlaceOrder,
    orders: OrderRepository,
    new_order_id: Callable[[], str],
    now: Callable[[], datetime],
) -> Order:
    """Accept the order and, in the same write, ask the kitchen to prepare it (the outbox sends it)."""
    order = Order.place(new_order_id(), command, now())
    orders.add(order, [OrderPlaced(order)])
    return order


def place_order_once(
    command: PlaceOrder,
    orders: OrderRepository,
    order_id: str,
    now: Callable[[], datetime],
) -> Order:
    """Place the order under ``order_id``, derived from the client's idempotency key, at most once.

    If that order is stored already (the key's first request got as far as storing it, but its
    response was never remembered: the function stopped in between, or the memory expired), the
    stored order is the answer, provided ``command`` asks for the same order; otherwise
    :class:`OrderAlreadyExists`: the key was used for another order.
    """
    try:
        return place_order(command, orders, lambda: order_id, now)
    except OrderAlreadyExists:
        stored = orders.get(order_id)
        if stored is None or not stored.was_placed_by(command):
            raise
        return stored


def get_order(order_id: str, orders: OrderRepository) -> Order | None:
    return orders.get(order_id)


def acknowledge_order(
    acknowledgement: KitchenAcknowledgement,
    orders: OrderRepository,
    alert_lead_time: timedelta,
) -> AcknowledgementOutcome:
    """Record the kitchen's acknowledgement and, in the same write, announce the confirmed order
    and, for a delivery, have the kitchen alerted ``alert_lead_time`` before it is due.

    Idempotent: a repeat is ALREADY_ACKNOWLEDGED and announces nothing again, because the first
    acknowledgement's events were stored with it and are sent however often this runs.
    """
    order = orders.get(acknowledgement.order_id)
    if order is None:
        raise UnknownOrder("the acknowledgement names an order this service never took")
    if order.status is not OrderStatus.ACCEPTED:
        return AcknowledgementOutcome.ALREADY_ACKNOWLEDGED
    acknowledged = order.acknowledge(acknowledgement.acknowledged_at)
    if not orders.save_acknowledged(acknowledged, _announcements(acknowledged, alert_lead_time)):
        return AcknowledgementOutcome.ALREADY_ACKNOWLEDGED
    return AcknowledgementOutcome.ACKNOWLEDGED


def _announcements(order: Order, alert_lead_time: timedelta) -> list[OrderEvent]:
    events: list[OrderEvent] = [OrderConfirmed(order)]
    if order.order_type is OrderType.DELIVERY and order.delivery_due_at is not None:
        events.append(DeliveryDueSoon(order, order.delivery_due_at - alert_lead_time))
    return events
