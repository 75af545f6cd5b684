"""``order.placed``: the kitchen's work request, with the address the kitchen replies to."""

from __future__ import annotations

from cloudevents.core.v1.event import CloudEvent
from pydantic import Field

from integration_patterns.cloudevents_envelope import CORRELATION_ID, DURABLE_CALLBACK_ID, REPLY_TO, new_event
from integration_patterns.event_data import EventData, IsoDateTime
from order_service.adapters.contracts import EVENT_SOURCE, OrderLine, OrderLines
from order_service.domain.order import Order, OrderType
from pizza_contracts import ORDER_PLACED_V1


class OrderPlacedV1(EventData):
    """A customer placed an order, and the kitchen is asked to prepare it.

    Sent to the kitchen alone (its queue), once per order. The kitchen answers on the queue named in
    the event's ``replyto`` attribute (the choreography) or the durable callback named in
    ``callbackid`` (the saga); ``correlationid`` is the order's id. The kitchen needs what to cook,
    not where it goes: the delivery address stays in the order service.
    """

    order_id: str = Field(
        min_length=1, description="The order's id (a UUID the order API assigned): the kitchen's key for its ticket."
    )
    customer_id: str = Field(min_length=1, description="Who placed the order, as the order API was told.")
    order_type: OrderType = Field(description="Whether the order is delivered or collected.")
    items: OrderLines = Field(description="What to cook: the order's lines, as the customer gave them.")
    placed_at: IsoDateTime = Field(description="When the order API accepted the order (ISO 8601, with its offset).")


def order_placed_event(order: Order, reply_queue_url: str | None, callback_id: str | None = None) -> CloudEvent:
    """The kitchen answers on ``reply_queue_url`` (the choreography) or ``callback_id`` (the saga)."""
    data = OrderPlacedV1(
        order_id=order.order_id,
        customer_id=order.customer_id,
        order_type=order.order_type,
        items=[OrderLine.of(item) for item in order.items],
        placed_at=order.placed_at,
    ).to_data()
    extensions = {CORRELATION_ID: order.order_id}
    if reply_queue_url:
        extensions[REPLY_TO] = reply_queue_url
    if callback_id:
        extensions[DURABLE_CALLBACK_ID] = callback_id
    return new_event(ORDER_PLACED_V1, EVENT_SOURCE, data, subject=order.order_id, extensions=extensions)
