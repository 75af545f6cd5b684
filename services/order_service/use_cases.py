"""The order service's use cases: pure functions over ports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from order_service.domain.acknowledgement import AcknowledgementOutcome, KitchenAcknowledgement, UnknownOrder
from order_service.domain.order import Order, PlaceOrder
from order_service.ports import KitchenGateway, OrderRepository


def place_order(
    command: PlaceOrder,
    orders: OrderRepository,
    kitchen: KitchenGateway,
    new_order_id: Callable[[], str],
    now: Callable[[], datetime],
) -> Order:
    """Accept the order, store it, then ask the kitchen to prepare it.

    Store first: if the send fails the order exists as ACCEPTED and the caller gets an error,
    rather than a kitchen working on an order nobody recorded.
    """
    order = Order.place(new_order_id(), command, now())
    orders.add(order)
    kitchen.request_preparation(order)
    return order


def get_order(order_id: str, orders: OrderRepository) -> Order | None:
    return orders.get(order_id)


def acknowledge_order(acknowledgement: KitchenAcknowledgement, orders: OrderRepository) -> AcknowledgementOutcome:
    """Record the kitchen's acknowledgement. Idempotent: a repeat is ALREADY_ACKNOWLEDGED."""
    outcome = orders.mark_acknowledged(acknowledgement.order_id, acknowledgement.acknowledged_at)
    if outcome is AcknowledgementOutcome.UNKNOWN_ORDER:
        raise UnknownOrder(f"acknowledgement for unknown order {acknowledgement.order_id}")
    return outcome
