"""The delivery processor: settings, adapters built once per cold start, and its entry point.

Nothing about the address goes on spans or into logs: it is personal data.
"""

from __future__ import annotations

from delivery_service.domain import ConfirmedOrder
from delivery_service.dynamodb_deliveries import DynamoDbDeliveries
from delivery_service.kms_address_decryptor import KmsAddressDecryptor
from delivery_service.order_confirmed_translator import ORDER_CONFIRMED_TRANSLATION
from delivery_service.use_cases import schedule_delivery
from integration_patterns.consumer import SpanFacts
from integration_patterns.consumer_runtime import InboxSettings, inboxed_consumer
from integration_patterns.field_encryption import KmsFieldCipher
from integration_patterns.runtime import Entrypoint, Runtime, lambda_handler, utc_now


class DeliverySettings(InboxSettings):
    deliveries_table_name: str
    order_pii_key_id: str


def wire(runtime: Runtime[DeliverySettings]) -> Entrypoint:
    settings = runtime.settings
    decryptor = KmsAddressDecryptor(KmsFieldCipher(runtime.client("kms"), settings.order_pii_key_id))
    deliveries = DynamoDbDeliveries(runtime.client("dynamodb"), settings.deliveries_table_name)

    def schedule(order: ConfirmedOrder) -> SpanFacts:
        return {"delivery.outcome": schedule_delivery(order, decryptor, deliveries, utc_now).value}

    return inboxed_consumer(runtime, ORDER_CONFIRMED_TRANSLATION, schedule).process


handler = lambda_handler(DeliverySettings, wire)
