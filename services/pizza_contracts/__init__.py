"""The pizza system's published language: the event types its services exchange, and the few names
every service and tool must spell alike.

Only names live here, and the dates old event versions are deprecated on. What an event's data
holds, and what a consumer makes of it, stays with each service (its producer's event builder and
data model, each consumer's anti-corruption layer), so a consumer still reads a producer's event in
its own terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from integration_patterns.cloudevents_envelope import EventType

ORDER_PLACED_V1 = EventType("com.pizza.order.placed", 1)
KITCHEN_ACKNOWLEDGED_V1 = EventType("com.pizza.kitchen.order.acknowledged", 1)
DELIVERY_DUE_SOON_V1 = EventType("com.pizza.order.delivery.due-soon", 1)
# The statuses after which an order moves no more (the order service's, and what its customers are told).
FINAL_ORDER_STATUSES = frozenset({"ACKNOWLEDGED", "CONFIRMED", "FAILED", "COMPENSATION_FAILED"})
# One per status an order moves to, for an order with a callbackUrl: the webhook dispatcher's input.
ORDER_STATUS_CHANGED_V1 = EventType("com.pizza.order.status-changed", 1)
ORDER_CONFIRMED = "com.pizza.order.confirmed"
# Published versions of order.confirmed; at most two are in flight, and subscribers accept both.
ORDER_CONFIRMED_V1 = EventType(ORDER_CONFIRMED, 1)
ORDER_CONFIRMED_V2 = EventType(ORDER_CONFIRMED, 2)
ORDER_CONFIRMED_VERSIONS = (ORDER_CONFIRMED_V1, ORDER_CONFIRMED_V2)

# What a deprecation date promises: the producer has stopped publishing the version (v2 is what the
# order service writes; v1 only if configured back to it), and every consumer keeps accepting it
# until that date; after it, consumers may drop it. `pizza catalog --check` flags a version still
# consumed after its date.
DEPRECATED_ON: Mapping[EventType, date] = {
    ORDER_CONFIRMED_V1: date(2027, 6, 30),
}

# EventBridge's `source` for order events (the subscribers' rules match on it and the detail-type).
ORDER_EVENTS_EVENTBRIDGE_SOURCE = "pizza.order-service"

# The most lines an order may have (a catering order): the API takes no more, and every consumer
# of order events takes that many.
MAX_ORDER_LINES = 1000
# At most this many characters of notes on a line (how to make it, whom it is for).
MAX_LINE_NOTES_LENGTH = 500

# Who may read an order.confirmed's delivery details: they travel as a claim check restricted to
# this audience (its objects live under restricted/<audience>/, which only its role may read).
DELIVERY_DETAILS_AUDIENCE = "delivery"

# What the order updates key (a KMS HMAC key) makes, each for its own purpose: the order API hands out
# both; the WebSocket connection handler verifies watch tokens; the webhook dispatcher derives the
# same secret again to sign each webhook of that order.
WATCH_TOKEN_PURPOSE = "watch-customer-orders"
WEBHOOK_SECRET_PURPOSE = "order-webhook-secret"

# The context each delivery address is encrypted under: the ciphertext is bound to its order.
ENCRYPTION_CONTEXT_ORDER_ID = "orderId"

# Business attribute on every span that concerns one order, so `pizza trace` finds all of them.
ORDER_ID_SPAN_ATTRIBUTE = "order.id"


def about_order(order_id: str) -> Mapping[str, str]:
    """The span attributes that name the order a message is about."""
    return {ORDER_ID_SPAN_ATTRIBUTE: order_id}
