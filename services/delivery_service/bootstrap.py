"""Composition root: builds adapters from validated settings, once per cold start."""

from __future__ import annotations

import functools
from collections.abc import Callable

from delivery_service.adapters.dynamodb_deliveries import DynamoDbDeliveries
from delivery_service.adapters.kms_address_decryptor import KmsAddressDecryptor
from delivery_service.adapters.order_confirmed_translator import translate_order_confirmed
from delivery_service.config import DeliverySettings
from delivery_service.confirmed_orders import handle_confirmed_order, span_attributes
from delivery_service.domain.delivery import ConfirmedOrder
from integration_patterns.field_encryption import KmsFieldCipher
from integration_patterns.runtime import utc_now
from integration_patterns.subscriber import EventSubscriber
from integration_patterns.subscriber_runtime import SubscriberClients, inboxed_subscriber


@functools.cache
def order_events_processor() -> EventSubscriber[ConfirmedOrder]:
    return inboxed_subscriber(
        DeliverySettings,
        translate=translate_order_confirmed,
        wire_handler=_handler,
        span_attributes=span_attributes,
    )


def _handler(settings: DeliverySettings, clients: SubscriberClients) -> Callable[[ConfirmedOrder], None]:
    cipher = KmsFieldCipher(clients.session.client("kms"), settings.order_pii_key_id)
    return functools.partial(
        handle_confirmed_order,
        decryptor=KmsAddressDecryptor(cipher),
        deliveries=DynamoDbDeliveries(clients.dynamodb, settings.deliveries_table_name),
        now=utc_now,
    )
