"""Order events published to subscribers (SNS and/or EventBridge), the address KMS-encrypted."""

from __future__ import annotations

from opentelemetry import trace

from integration_patterns.field_encryption import KmsFieldCipher
from integration_patterns.pubsub_publisher import CloudEventPublisher
from order_service.adapters.contracts import ORDER_ID_SPAN_ATTRIBUTE
from order_service.adapters.order_confirmed_event import order_confirmed_event
from order_service.domain.order import Order
from order_service.ports import OrderEvents


class PublishedOrderEvents(OrderEvents):
    def __init__(self, publisher: CloudEventPublisher, cipher: KmsFieldCipher, key_id: str, version: int) -> None:
        self._publisher = publisher
        self._cipher = cipher
        self._key_id = key_id
        self._version = version

    def order_confirmed(self, order: Order) -> None:
        trace.get_current_span().set_attribute(ORDER_ID_SPAN_ATTRIBUTE, order.order_id)
        self._publisher.publish(order_confirmed_event(order, self._version, self._cipher.encrypt, self._key_id))
