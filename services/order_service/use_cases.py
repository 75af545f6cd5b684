"""The order service's use cases: pure functions over ports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from order_service.domain.acknowledgement import AcknowledgementOutcome, KitchenAcknowledgement, UnknownOrder
from order_service.domain.order import KitchenUnavailable, Order, PlaceOrder
from order_service.ports import KitchenGateway, OrderRepository


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


def acknowledge_order(acknowledgement: KitchenAcknowledgement, orders: OrderRepository) -> AcknowledgementOutcome:
    """Record the kitchen's acknowledgement. Idempotent: a repeat is ALREADY_ACKNOWLEDGED."""
    outcome = orders.mark_acknowledged(acknowledgement.order_id, acknowledgement.acknowledged_at)
    if outcome is AcknowledgementOutcome.UNKNOWN_ORDER:
        raise UnknownOrder(f"acknowledgement for unknown order {acknowledgement.order_id}")
    return outcome
