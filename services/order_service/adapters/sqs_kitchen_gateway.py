"""The kitchen channel: an ``order.placed`` CloudEvent on the kitchen queue, with a reply address."""

from __future__ import annotations

from opentelemetry import trace

from integration_patterns.cloudevents_envelope import CORRELATION_ID, REPLY_TO, new_event
from integration_patterns.sqs_sender import SqsCloudEventSender
from order_service.adapters.contracts import EVENT_SOURCE, ORDER_ID_SPAN_ATTRIBUTE, ORDER_PLACED_V1
from order_service.domain.order import Order
from order_service.ports import KitchenGateway


class SqsKitchenGateway(KitchenGateway):
    def __init__(self, sender: SqsCloudEventSender, reply_queue_url: str | None) -> None:
        self._sender = sender
        self._reply_queue_url = reply_queue_url

    def request_preparation(self, order: Order) -> None:
        # The kitchen needs what to cook, not where it goes: the address stays in this service.
        data = {
            "orderId": order.order_id,
            "customerId": order.customer_id,
            "orderType": order.order_type.value,
            "items": [{"pizza": i.pizza, "quantity": i.quantity} for i in order.items],
            "placedAt": order.placed_at.isoformat(),
        }
        extensions = {CORRELATION_ID: order.order_id}
        if self._reply_queue_url:
            extensions[REPLY_TO] = self._reply_queue_url
        event = new_event(ORDER_PLACED_V1, EVENT_SOURCE, data, subject=order.order_id, extensions=extensions)
        trace.get_current_span().set_attribute(ORDER_ID_SPAN_ATTRIBUTE, order.order_id)
        # FIFO (when the queue is FIFO): per-customer order, and SQS drops a resend of the same order.
        self._sender.send(event, group_id=order.customer_id, deduplication_id=order.order_id)
