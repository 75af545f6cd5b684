"""Kitchen alerts as one-time schedules: EventBridge Scheduler delivers the event at the set time."""

from __future__ import annotations

from datetime import datetime

from integration_patterns.cloudevents_envelope import new_event
from integration_patterns.one_time_schedule import OneTimeEventScheduler
from order_service.adapters.contracts import DELIVERY_DUE_SOON_V1, EVENT_SOURCE
from order_service.domain.order import Order
from order_service.ports import KitchenAlerts


def alert_schedule_name(order_id: str) -> str:
    """One schedule per order: scheduling it again is refused by name, so the kitchen hears once."""
    return f"kitchen-alert-{order_id}"


class ScheduledKitchenAlerts(KitchenAlerts):
    def __init__(self, scheduler: OneTimeEventScheduler) -> None:
        self._scheduler = scheduler

    def alert_at(self, order: Order, at: datetime) -> None:
        data = {
            "orderId": order.order_id,
            "dueAt": order.delivery_due_at.isoformat() if order.delivery_due_at else None,
            "items": [{"pizza": item.pizza, "quantity": item.quantity} for item in order.items],
        }
        event = new_event(DELIVERY_DUE_SOON_V1, EVENT_SOURCE, data, subject=order.order_id)
        self._scheduler.schedule(alert_schedule_name(order.order_id), at, event)
