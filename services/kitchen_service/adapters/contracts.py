"""The message types the kitchen exchanges with the order service, as the kitchen sees them."""

from __future__ import annotations

from integration_patterns.cloudevents_envelope import EventType

EVENT_SOURCE = "/pizza/kitchen-service"
ORDER_PLACED_V1 = EventType("com.pizza.order.placed", 1)
KITCHEN_ACKNOWLEDGED_V1 = EventType("com.pizza.kitchen.order.acknowledged", 1)
DELIVERY_DUE_SOON_V1 = EventType("com.pizza.order.delivery.due-soon", 1)
ORDER_ID_SPAN_ATTRIBUTE = "order.id"
