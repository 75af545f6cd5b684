"""Composition root: builds adapters from validated settings, once per cold start."""

from __future__ import annotations

import functools
from collections.abc import Callable

from integration_patterns.runtime import utc_now
from integration_patterns.subscriber import EventSubscriber
from integration_patterns.subscriber_runtime import SubscriberClients, inboxed_subscriber
from notifications_service.adapters.dynamodb_contact_directory import DynamoDbContactDirectory
from notifications_service.adapters.dynamodb_notifications import DynamoDbNotifications
from notifications_service.adapters.order_confirmed_translator import translate_order_confirmed
from notifications_service.config import NotificationsSettings
from notifications_service.confirmed_orders import handle_confirmed_order, span_attributes
from notifications_service.domain.notification import NotifyCustomer


@functools.cache
def order_events_processor() -> EventSubscriber[NotifyCustomer]:
    return inboxed_subscriber(
        NotificationsSettings,
        translate=translate_order_confirmed,
        wire_handler=_handler,
        span_attributes=span_attributes,
    )


def _handler(settings: NotificationsSettings, clients: SubscriberClients) -> Callable[[NotifyCustomer], None]:
    return functools.partial(
        handle_confirmed_order,
        contacts=DynamoDbContactDirectory(clients.dynamodb, settings.customer_contacts_table_name),
        notifications=DynamoDbNotifications(clients.dynamodb, settings.notifications_table_name),
        now=utc_now,
    )
