"""The saga's request to the kitchen: the same order.placed the choreography sends, on the same
queue (so the kitchen's consumer, DLQ and idempotency serve both), carrying the callback id."""

from __future__ import annotations

from integration_patterns.claim_check import ClaimCheck
from integration_patterns.sqs_sender import SqsCloudEventSender
from order_service.adapters.order_placed_event import order_placed_event
from order_service.domain.order import Order
from order_service.ports import KitchenRequests


class SqsKitchenRequests(KitchenRequests):
    def __init__(self, kitchen_queue: SqsCloudEventSender, claims: ClaimCheck) -> None:
        self._queue = kitchen_queue
        self._claims = claims

    def ask_to_prepare(self, order: Order, callback_id: str) -> None:
        # A large order's request travels as a claim check, as the choreography's does.
        event = self._claims.check_in(order_placed_event(order, reply_queue_url=None, callback_id=callback_id))
        # On a FIFO kitchen queue: per-customer order, and a resend of this request is dropped.
        self._queue.send(event, group_id=order.customer_id, deduplication_id=order.order_id)
