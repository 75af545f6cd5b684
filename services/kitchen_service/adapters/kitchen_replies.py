"""The kitchen's replies: an acknowledgement CloudEvent on the reply queue the order named, or the
answer to a saga's durable callback."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import Field

from integration_patterns.cloudevents_envelope import CORRELATION_ID, new_event
from integration_patterns.durable_functions import DurableCallbacks
from integration_patterns.event_data import EventData
from integration_patterns.event_tracing import current_trace_carrier
from integration_patterns.sqs_sender import SqsCloudEventSender
from kitchen_service.ports import Acknowledgements
from pizza_contracts import KITCHEN_ACKNOWLEDGED_V1

EVENT_SOURCE = "/pizza/kitchen-service"


class KitchenOrderAcknowledgedV1(EventData):
    """The kitchen took an order and will prepare it (the choreography's reply to order.placed).

    Sent to the reply queue the order.placed event named (``replyto``), and only to a queue the
    kitchen may reply to. The event's ``correlationid`` attribute is the order's id and its ``time``
    is when the kitchen acknowledged the order: that is what the order service reads.
    """

    order_id: str = Field(min_length=1, description="The order's id, as order.placed gave it.")


class KitchenReplies(Acknowledgements):
    """One sender per permitted reply queue (the translator already refused any other queue), and
    the durable callbacks a saga waits on."""

    def __init__(self, senders_by_queue_url: Mapping[str, SqsCloudEventSender], callbacks: DurableCallbacks) -> None:
        self._senders = senders_by_queue_url
        self._callbacks = callbacks

    def acknowledge(self, order_id: str, reply_to: str) -> None:
        event = new_event(
            KITCHEN_ACKNOWLEDGED_V1,
            EVENT_SOURCE,
            KitchenOrderAcknowledgedV1(order_id=order_id).to_data(),
            subject=order_id,
            extensions={CORRELATION_ID: order_id},
        )
        self._senders[reply_to].send(event, group_id=order_id)

    def answer(self, callback_id: str, order_id: str, acknowledged_at: datetime) -> bool:
        # The kitchen's span context rides along, so the saga can link its resumed work to it.
        result = {"orderId": order_id, "acknowledgedAt": acknowledged_at.isoformat(), **current_trace_carrier()}
        return self._callbacks.succeed(callback_id, result)

    def refuse(self, callback_id: str, reason: str) -> bool:
        return self._callbacks.refuse(callback_id, reason)
