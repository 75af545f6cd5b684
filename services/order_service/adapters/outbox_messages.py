"""The order service's events as outbox messages: which event, to which route, delivered how."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from integration_patterns.claim_check import ClaimCheck
from integration_patterns.outbox import OutboxMessage
from integration_patterns.outbox_routes import queue_delivery, schedule_delivery
from order_service.adapters.contracts import KITCHEN_ALERTS_DESTINATION, KITCHEN_DESTINATION, ORDER_EVENTS_DESTINATION
from order_service.adapters.delivery_due_soon_event import alert_schedule_name, delivery_due_soon_event
from order_service.adapters.order_confirmed_event import FieldEncryptor, order_confirmed_event
from order_service.adapters.order_placed_event import order_placed_event
from order_service.domain.events import DeliveryDueSoon, OrderConfirmed, OrderEvent, OrderPlaced


class OrderEventMessages:
    """Builds the CloudEvent for each domain event, when it is stored (not when it is sent).

    The address in ``order.confirmed`` is encrypted here, so the outbox, the table's stream and the
    relay only ever hold ciphertext of it.
    """

    def __init__(
        self,
        *,
        reply_queue_url: str | None = None,
        confirmed_version: int = 2,
        encrypt: FieldEncryptor | None = None,
        key_id: str = "",
        claims: ClaimCheck | None = None,
    ) -> None:
        self._reply_queue_url = reply_queue_url
        self._confirmed_version = confirmed_version
        self._encrypt = encrypt
        self._key_id = key_id
        self._claims = claims

    def messages(self, events: Sequence[OrderEvent]) -> list[OutboxMessage]:
        return [self._checked_in(message) for message in map(self._message, events)]

    def _checked_in(self, message: OutboxMessage) -> OutboxMessage:
        """Checked in before it is stored: the outbox holds the claimed event, so a relay retry sends
        the same claim and never uploads again. A kitchen alert is read when its schedule fires, up
        to two days later, longer than a presigned URL lives: its claim is by bucket and key."""
        if self._claims is None:
            return message
        later = message.destination == KITCHEN_ALERTS_DESTINATION
        return replace(message, event=self._claims.check_in(message.event, by_reference=later))

    def _message(self, event: OrderEvent) -> OutboxMessage:
        order = event.order
        match event:
            case OrderPlaced():
                # FIFO (when the kitchen queue is FIFO): per-customer order, and SQS drops a resend.
                delivery = queue_delivery(group_id=order.customer_id, deduplication_id=order.order_id)
                return OutboxMessage(KITCHEN_DESTINATION, order_placed_event(order, self._reply_queue_url), delivery)
            case OrderConfirmed():
                if self._encrypt is None:
                    raise ValueError("order.confirmed carries an encrypted address: configure an encryptor")
                confirmed = order_confirmed_event(order, self._confirmed_version, self._encrypt, self._key_id)
                return OutboxMessage(ORDER_EVENTS_DESTINATION, confirmed)
            case DeliveryDueSoon(alert_at=alert_at):
                delivery = schedule_delivery(name=alert_schedule_name(order.order_id), at=alert_at)
                return OutboxMessage(KITCHEN_ALERTS_DESTINATION, delivery_due_soon_event(order), delivery)
