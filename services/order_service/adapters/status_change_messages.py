"""``order.status-changed``: one per status an order with a callbackUrl moves to, for its webhooks.

Stored in the outbox with the change itself, so a status change and the webhook announcing it are
one write: no change goes unannounced, and the relay sends each once it is stored.
"""

from __future__ import annotations

from integration_patterns.cloudevents_envelope import CORRELATION_ID, new_event
from integration_patterns.outbox import OutboxMessage
from order_service.adapters.contracts import EVENT_SOURCE, WEBHOOKS_DESTINATION
from order_service.domain.order import Order
from pizza_contracts import ORDER_STATUS_CHANGED_V1


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
                {
                    "orderId": order.order_id,
                    "customerId": order.customer_id,
                    # The position in the order's history: a receiver orders webhooks by it.
                    "sequence": sequence,
                    "status": change.status.value,
                    "at": change.at.isoformat(),
                    "reason": change.reason,
                    "callbackUrl": order.callback_url,
                },
                subject=order.order_id,
                extensions={CORRELATION_ID: order.order_id},
            ),
        )
        for sequence, change in enumerate(order.history)
        if sequence >= since
    ]
