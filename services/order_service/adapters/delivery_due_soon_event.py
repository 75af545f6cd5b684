"""``order.delivery.due-soon``: the kitchen alert a one-time schedule delivers at the set time."""

from __future__ import annotations

from cloudevents.core.v1.event import CloudEvent

from integration_patterns.cloudevents_envelope import new_event
from order_service.adapters.contracts import EVENT_SOURCE
from order_service.domain.order import Order
from pizza_contracts import DELIVERY_DUE_SOON_V1


def alert_schedule_name(order_id: str) -> str:
    """One schedule per order: scheduling it again is refused by name, so the kitchen hears once."""
    return f"kitchen-alert-{order_id}"


def delivery_due_soon_event(order: Order) -> CloudEvent:
    data = {
        "orderId": order.order_id,
        "dueAt": order.delivery_due_at.isoformat() if order.delivery_due_at else None,
        "items": [{"pizza": item.pizza, "quantity": item.quantity} for item in order.items],
    }
    return new_event(DELIVERY_DUE_SOON_V1, EVENT_SOURCE, data, subject=order.order_id)
