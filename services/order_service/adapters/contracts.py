"""Names the order service alone uses for its messages; the system's event types are in pizza_contracts."""

from __future__ import annotations

EVENT_SOURCE = "/pizza/order-service"
# The outbox relay's routes: where each stored event goes.
KITCHEN_DESTINATION = "kitchen"
ORDER_EVENTS_DESTINATION = "order-events"
KITCHEN_ALERTS_DESTINATION = "kitchen-alerts"
