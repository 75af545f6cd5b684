"""The message types the order service exchanges with the kitchen, as it sees them."""

from __future__ import annotations

from integration_patterns.cloudevents_envelope import EventType

EVENT_SOURCE = "/pizza/order-service"
ORDER_PLACED_V1 = EventType("com.pizza.order.placed", 1)
KITCHEN_ACKNOWLEDGED_V1 = EventType("com.pizza.kitchen.order.acknowledged", 1)
ORDER_CONFIRMED = "com.pizza.order.confirmed"
# Published versions; at most two are in flight, and subscribers accept both.
ORDER_CONFIRMED_VERSIONS = (1, 2)
DELIVERY_DUE_SOON_V1 = EventType("com.pizza.order.delivery.due-soon", 1)
# EventBridge's `source` for order events (its rules match on it and on the detail-type).
EVENTBRIDGE_SOURCE = "pizza.order-service"
# The outbox relay's routes: where each stored event goes.
KITCHEN_DESTINATION = "kitchen"
ORDER_EVENTS_DESTINATION = "order-events"
KITCHEN_ALERTS_DESTINATION = "kitchen-alerts"
# Business attribute on every span that concerns one order, so its trace can be found.
ORDER_ID_SPAN_ATTRIBUTE = "order.id"
