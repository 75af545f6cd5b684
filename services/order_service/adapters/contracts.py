"""Names the order service alone uses for its messages; the system's event types are in pizza_contracts."""

from __future__ import annotations

from integration_patterns.claim_check import RestrictedSection
from order_service.domain.order import OrderItem
from pizza_contracts import DELIVERY_DETAILS_AUDIENCE, ORDER_CONFIRMED

EVENT_SOURCE = "/pizza/order-service"
# The outbox relay's routes: where each stored event goes.
KITCHEN_DESTINATION = "kitchen"
ORDER_EVENTS_DESTINATION = "order-events"
KITCHEN_ALERTS_DESTINATION = "kitchen-alerts"
WEBHOOKS_DESTINATION = "webhooks"

# What travels only as a claim check one audience may redeem: order.confirmed's delivery details
# (already encrypted for the delivery service) reach no other subscriber, not even as ciphertext.
ORDER_EVENT_CLAIMS = {
    ORDER_CONFIRMED: RestrictedSection(audience=DELIVERY_DETAILS_AUDIENCE, fields=("deliveryAddress",)),
}


def item_view(item: OrderItem) -> dict[str, object]:
    """An order line as the API and the order's events show it (notes only when there are some)."""
    view: dict[str, object] = {"pizza": item.pizza, "quantity": item.quantity}
    if item.notes:
        view["notes"] = item.notes
    return view
