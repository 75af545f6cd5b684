"""The message types the order service exchanges with the kitchen, as it sees them."""

from __future__ import annotations

from integration_patterns.cloudevents_envelope import EventType

EVENT_SOURCE = "/pizza/order-service"
ORDER_PLACED_V1 = EventType("com.pizza.order.placed", 1)
KITCHEN_ACKNOWLEDGED_V1 = EventType("com.pizza.kitchen.order.acknowledged", 1)
# Business attribute on every span that concerns one order, so its trace can be found.
ORDER_ID_SPAN_ATTRIBUTE = "order.id"
