"""The order.confirmed event as the analytics service sees it (its own view of the producer's contract)."""

from __future__ import annotations

from integration_patterns.cloudevents_envelope import EventType

ORDER_CONFIRMED_V1 = EventType("com.pizza.order.confirmed", 1)
ORDER_CONFIRMED_V2 = EventType("com.pizza.order.confirmed", 2)
SUPPORTED_ORDER_CONFIRMED = (ORDER_CONFIRMED_V1, ORDER_CONFIRMED_V2)
# Business attribute on every span that concerns one order, so its trace can be found.
ORDER_ID_SPAN_ATTRIBUTE = "order.id"
