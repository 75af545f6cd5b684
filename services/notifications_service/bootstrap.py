"""Composition root: builds adapters from validated settings, once per cold start."""

from __future__ import annotations

import functools

import boto3

from integration_patterns.runtime import start_observability, utc_now
from integration_patterns.settings import load_settings
from integration_patterns.subscriber import EventSubscriber
from integration_patterns.subscriber_runtime import inboxed_subscriber
from notifications_service.adapters.dynamodb_contact_directory import DynamoDbContactDirectory
from notifications_service.adapters.dynamodb_notifications import DynamoDbNotifications
from notifications_service.adapters.order_confirmed_translator import translate_order_confirmed
from notifications_service.config import NotificationsSettings
from notifications_service.confirmed_orders import handle_confirmed_order, span_attributes
from notifications_service.domain.notification import NotifyCustomer


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
    return inboxed_subscriber(
        settings,
        dynamodb_client=dynamodb,
        sqs_client=session.client("sqs"),
        logger=logger,
        translate=translate_order_confirmed,
        handle=handle,
        span_attributes=span_attributes,
    )
