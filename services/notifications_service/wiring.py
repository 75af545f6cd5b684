"""The notifications processor: settings, adapters built once per cold start, and its entry point.

Only the order id, channel and outcome go on spans: recipients and message text are personal data.
"""

from __future__ import annotations

from integration_patterns.consumer import SpanFacts
from integration_patterns.consumer_runtime import InboxSettings, inboxed_consumer
from integration_patterns.runtime import Entrypoint, Runtime, lambda_handler, utc_now
from notifications_service.domain import NotifyCustomer
from notifications_service.dynamodb_contact_directory import DynamoDbContactDirectory
from notifications_service.dynamodb_notifications import DynamoDbNotifications
from notifications_service.order_confirmed_translator import ORDER_CONFIRMED_TRANSLATION
from notifications_service.use_cases import notify_customer


class NotificationsSettings(InboxSettings):
    notifications_table_name: str
    customer_contacts_table_name: str


def wire(runtime: Runtime[NotificationsSettings]) -> Entrypoint:
    settings, dynamodb = runtime.settings, runtime.client("dynamodb")
    contacts = DynamoDbContactDirectory(dynamodb, settings.customer_contacts_table_name)
    notifications = DynamoDbNotifications(dynamodb, settings.notifications_table_name)

    def notify(command: NotifyCustomer) -> SpanFacts:
        result = notify_customer(command, contacts, notifications, utc_now)
        # already_notified is a success: another event about the same order got there first.
        return {"notification.channel": result.channel.value, "notification.outcome": result.outcome.value}

    return inboxed_consumer(runtime, ORDER_CONFIRMED_TRANSLATION, notify).process


handler = lambda_handler(NotificationsSettings, wire)
