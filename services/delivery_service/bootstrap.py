"""Composition root: builds adapters from validated settings, once per cold start."""

from __future__ import annotations

import functools

import boto3

from delivery_service.adapters.dynamodb_deliveries import DynamoDbDeliveries
from delivery_service.adapters.kms_address_decryptor import KmsAddressDecryptor
from delivery_service.adapters.order_confirmed_translator import translate_order_confirmed
from delivery_service.config import DeliverySettings
from delivery_service.confirmed_orders import handle_confirmed_order, span_attributes
from delivery_service.domain.delivery import ConfirmedOrder
from integration_patterns.field_encryption import KmsFieldCipher
from integration_patterns.runtime import start_observability, utc_now
from integration_patterns.settings import load_settings
from integration_patterns.subscriber import EventSubscriber
from integration_patterns.subscriber_runtime import inboxed_subscriber


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
    return inboxed_subscriber(
        settings,
        dynamodb_client=dynamodb,
        sqs_client=session.client("sqs"),
        logger=logger,
        translate=translate_order_confirmed,
        handle=handle,
        span_attributes=span_attributes,
    )
