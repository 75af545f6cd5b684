"""Composition root: builds adapters from validated settings, once per cold start."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import boto3

from integration_patterns.dead_letter import DeadLetterSink
from integration_patterns.inbox import Inbox
from integration_patterns.runtime import start_observability
from integration_patterns.settings import load_settings
from integration_patterns.subscriber import EventSubscriber
from notifications_service.adapters.dynamodb_contact_directory import DynamoDbContactDirectory
from notifications_service.adapters.dynamodb_notifications import DynamoDbNotifications
from notifications_service.adapters.order_confirmed_translator import translate_order_confirmed
from notifications_service.config import NotificationsSettings
from notifications_service.confirmed_orders import handle_confirmed_order, span_attributes
from notifications_service.domain.notification import NotifyCustomer


def utc_now() -> datetime:
    return datetime.now(UTC)


@functools.cache
def order_events_processor() -> EventSubscriber[NotifyCustomer]:
    settings = load_settings(NotificationsSettings)
    logger = start_observability(settings)
    session = boto3.session.Session()
    dynamodb = session.client("dynamodb")
    handle = functools.partial(
        handle_confirmed_order,
        contacts=DynamoDbContactDirectory(dynamodb, settings.customer_contacts_table_name),
        notifications=DynamoDbNotifications(dynamodb, settings.notifications_table_name),
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
