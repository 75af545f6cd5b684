"""Acknowledgements as CloudEvents on the reply queue the order named."""

from __future__ import annotations

from collections.abc import Mapping

from integration_patterns.cloudevents_envelope import CORRELATION_ID, new_event
from integration_patterns.sqs_sender import SqsCloudEventSender
from kitchen_service.ports import Acknowledgements
from pizza_contracts import KITCHEN_ACKNOWLEDGED_V1

EVENT_SOURCE = "/pizza/kitchen-service"


class SqsAcknowledgements(Acknowledgements):
    """One sender per permitted reply queue; the translator already refused any other queue."""

    def __init__(self, senders_by_queue_url: Mapping[str, SqsCloudEventSender]) -> None:
        self._senders = senders_by_queue_url

    def acknowledge(self, order_id: str, reply_to: str) -> None:
        event = new_event(
            KITCHEN_ACKNOWLEDGED_V1,
            EVENT_SOURCE,
            {"orderId": order_id},
            subject=order_id,
            extensions={CORRELATION_ID: order_id},
        )
        self._senders[reply_to].send(event, group_id=order_id)
