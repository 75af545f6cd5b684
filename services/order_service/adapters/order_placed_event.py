"""``order.placed``: the kitchen's work request, with the address the kitchen replies to."""

from __future__ import annotations

from cloudevents.core.v1.event import CloudEvent

from integration_patterns.cloudevents_envelope import CORRELATION_ID, DURABLE_CALLBACK_ID, REPLY_TO, new_event
from order_service.adapters.contracts import EVENT_SOURCE, item_view
from order_service.domain.order import Order
from pizza_contracts import ORDER_PLACED_V1


def order_placed_event(order: Order, reply_queue_url: str | None, callback_id: str | None = None) -> CloudEvent:
    """The kitchen answers on ``reply_queue_url`` (the choreography) or ``callback_id`` (the saga)."""
    # The kitchen needs what to cook, not where it goes: the address stays in this service.
    data = {
        "orderId": order.order_id,
        "customerId": order.customer_id,
        "orderType": order.order_type.value,
        "items": [item_view(i) for i in order.items],
        "placedAt": order.placed_at.isoformat(),
    }
    extensions = {CORRELATION_ID: order.order_id}
    if reply_queue_url:
        extensions[REPLY_TO] = reply_queue_url
    if callback_id:
        extensions[DURABLE_CALLBACK_ID] = callback_id
    return new_event(ORDER_PLACED_V1, EVENT_SOURCE, data, subject=order.order_id, extensions=extensions)
