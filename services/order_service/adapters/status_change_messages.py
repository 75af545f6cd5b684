"""``order.status-changed``: one per status an order with a callbackUrl moves to, for its webhooks.

Stored in the outbox with the change itself, so a status change and the webhook announcing it are
one write: no change goes unannounced, and the relay sends each once it is stored.
"""

from __future__ import annotations

from pydantic import Field

from integration_patterns.cloudevents_envelope import CORRELATION_ID, new_event
from integration_patterns.event_data import EventData, IsoDateTime
from integration_patterns.outbox import OutboxMessage
from order_service.adapters.contracts import EVENT_SOURCE, WEBHOOKS_DESTINATION
from order_service.domain.order import Order, OrderStatus
from pizza_contracts import ORDER_STATUS_CHANGED_V1


class OrderStatusChangedV1(EventData):
    """An order moved to a status: the webhook its customer asked for announces it.

    One per entry of the order's history (the first is ACCEPTED), only for an order placed with a
    callbackUrl. Sent to the webhook dispatcher's queue, which POSTs it, signed, to that URL; the
    event's id is the webhook's, the same on every attempt.
    """

    order_id: str = Field(min_length=1, description="The order's id (a UUID the order API assigned).")
    customer_id: str = Field(min_length=1, description="Who placed the order, as the order API was told.")
    sequence: int = Field(
        ge=0,
        description="The change's position in the order's history, from 0: a receiver orders the webhooks by it.",
    )
    status: OrderStatus = Field(description="The status the order moved to.")
    at: IsoDateTime = Field(description="When the order moved to it (ISO 8601, with its offset).")
    reason: str | None = Field(
        description="Why the order failed (FAILED, COMPENSATION_FAILED); null for every other status."
    )
    callback_url: str = Field(
        min_length=1,
        json_schema_extra={"format": "uri"},
        description="Where the webhook is POSTed: the URL the customer gave when placing the order.",
    )


def status_change_messages(order: Order, since: int) -> list[OutboxMessage]:
    """The messages for the order's history entries from position ``since`` on (none without a callbackUrl)."""
    if order.callback_url is None:
        return []
    return [
        OutboxMessage(
            WEBHOOKS_DESTINATION,
            new_event(
                ORDER_STATUS_CHANGED_V1,
                EVENT_SOURCE,
                OrderStatusChangedV1(
                    order_id=order.order_id,
                    customer_id=order.customer_id,
                    sequence=sequence,
                    status=change.status,
                    at=change.at,
                    reason=change.reason,
                    callback_url=order.callback_url,
                ).to_data(),
                subject=order.order_id,
                extensions={CORRELATION_ID: order.order_id},
            ),
        )
        for sequence, change in enumerate(order.history)
        if sequence >= since
    ]
