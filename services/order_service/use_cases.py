"""The order service's use cases: pure functions over ports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from order_service.domain.acknowledgement import AcknowledgementOutcome, KitchenAcknowledgement, UnknownOrder
from order_service.domain.events import DeliveryDueSoon, OrderConfirmed, OrderEvent
from order_service.domain.order import Order, OrderAlreadyExists, OrderStatus, OrderType, PlaceOrder
from order_service.ports import OrderRepository, OrderWorkflow


class ConcurrentChange(RuntimeError):
    """The order changed under this write in a way this change did not expect."""


def place_order(
    command: PlaceOrder,
    orders: OrderRepository,
    workflow: OrderWorkflow,
    new_order_id: Callable[[], str],
    now: Callable[[], datetime],
) -> Order:
    """Accept the order, with the events its workflow stores with it, then start that workflow.

    The choreography stores ``order.placed`` (the outbox relay sends it to the kitchen) and has
    nothing more to start; the saga stores no event and starts its durable execution.
    """
    order = Order.place(new_order_id(), command, now())
    orders.add(order, workflow.events_on_placing(order))
    workflow.start(order)
    return order


def place_order_once(
    command: PlaceOrder,
    orders: OrderRepository,
    workflow: OrderWorkflow,
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
        return place_order(command, orders, workflow, lambda: order_id, now)
    except OrderAlreadyExists:
        stored = orders.get(order_id)
        if stored is None or not stored.was_placed_by(command):
            raise
        # The first request may have stopped between storing and starting: start (again) here.
        workflow.start(stored)
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
    if not orders.save_change(acknowledged, OrderStatus.ACCEPTED, _announcements(acknowledged, alert_lead_time)):
        return AcknowledgementOutcome.ALREADY_ACKNOWLEDGED
    return AcknowledgementOutcome.ACKNOWLEDGED


# -- the saga's steps on the order: each idempotent, as a durable step may run more than once ----


def take_order_for_workflow(order_id: str, workflow_id: str, orders: OrderRepository) -> Order | None:
    """The stored order, if ``workflow_id`` is the one workflow moving it; None if another one is."""
    order = orders.get(order_id)
    if order is None:
        raise UnknownOrder("the workflow names an order this service never took")
    return order if orders.claim(order_id, workflow_id) else None


def record_progress(order_id: str, status: OrderStatus, orders: OrderRepository, now: Callable[[], datetime]) -> Order:
    """Move the order to ``status`` (a step of the saga is done); a repeat changes nothing."""
    return _change(order_id, status, orders, lambda order: order.moved_to(status, now()))


def confirm_order(
    order_id: str,
    acknowledged_at: datetime,
    orders: OrderRepository,
    alert_lead_time: timedelta,
    now: Callable[[], datetime],
) -> Order:
    """The saga's end: confirm the order and, in the same write, announce it as the choreography does."""
    return _change(
        order_id,
        OrderStatus.CONFIRMED,
        orders,
        lambda order: order.confirm(acknowledged_at, now()),
        lambda confirmed: _announcements(confirmed, alert_lead_time),
    )


def fail_order(
    order_id: str,
    reason: str,
    orders: OrderRepository,
    now: Callable[[], datetime],
    status: OrderStatus = OrderStatus.FAILED,
) -> Order:
    """Record why the order failed (FAILED, or COMPENSATION_FAILED when an undo kept failing)."""
    return _change(order_id, status, orders, lambda order: order.fail(reason, now(), status))


def _change(
    order_id: str,
    target: OrderStatus,
    orders: OrderRepository,
    change: Callable[[Order], Order],
    events_of: Callable[[Order], list[OrderEvent]] = lambda _: [],
) -> Order:
    order = orders.get(order_id)
    if order is None:
        raise UnknownOrder("the workflow names an order this service never took")
    if order.status is target:
        return order
    changed = change(order)
    if orders.save_change(changed, order.status, events_of(changed)):
        return changed
    stored = orders.get(order_id)
    if stored is not None and stored.status is target:
        return stored
    raise ConcurrentChange(f"order {order_id} changed while moving to {target.value}")


def _announcements(order: Order, alert_lead_time: timedelta) -> list[OrderEvent]:
    events: list[OrderEvent] = [OrderConfirmed(order)]
    if order.order_type is OrderType.DELIVERY and order.delivery_due_at is not None:
        events.append(DeliveryDueSoon(order, order.delivery_due_at - alert_lead_time))
    return events
