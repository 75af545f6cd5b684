"""Composition root: builds adapters from validated settings, once per cold start."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import boto3

from delivery_service.adapters.dynamodb_deliveries import DynamoDbDeliveries
from delivery_service.adapters.kms_address_decryptor import KmsAddressDecryptor
from delivery_service.adapters.order_confirmed_translator import translate_order_confirmed
from delivery_service.config import DeliverySettings
from delivery_service.confirmed_orders import handle_confirmed_order, span_attributes
from delivery_service.domain.delivery import ConfirmedOrder
from integration_patterns.dead_letter import DeadLetterSink
from integration_patterns.field_encryption import KmsFieldCipher
from integration_patterns.inbox import Inbox
from integration_patterns.runtime import start_observability
from integration_patterns.settings import load_settings
from integration_patterns.subscriber import EventSubscriber


def utc_now() -> datetime:
    return datetime.now(UTC)


@functools.cache
def order_events_processor() -> EventSubscriber[ConfirmedOrder]:
    settings = load_settings(DeliverySettings)
    logger = start_observability(settings)
    session = boto3.session.Session()
    dynamodb = session.client("dynamodb")
    handle = functools.partial(
        handle_confirmed_order,
        decryptor=KmsAddressDecryptor(KmsFieldCipher(session.client("kms"), settings.order_pii_key_id)),
        deliveries=DynamoDbDeliveries(dynamodb, settings.deliveries_table_name),
        now=utc_now,
    )
    return EventSubscriber(
        translate_order_confirmed,
        handle,
        inbox=Inbox(dynamodb, settings.inbox_table_name, settings.inbox_ttl_seconds),
        dead_letter=DeadLetterSink(session.client("sqs"), settings.dead_letter_queue_url),
        logger=logger,
        span_attributes=span_attributes,
    )
