"""One confirmed order, already translated: run the use case and note its outcome on the span.

Only the order id, channel and outcome go on spans: recipients and message text are personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

from notifications_service.adapters.contracts import ORDER_ID_SPAN_ATTRIBUTE
from notifications_service.domain.notification import NotifyCustomer
from notifications_service.ports import ContactDirectory, Notifications
from notifications_service.use_cases import notify_customer


def span_attributes(command: NotifyCustomer) -> Mapping[str, AttributeValue]:
    return {ORDER_ID_SPAN_ATTRIBUTE: command.order_id}


def handle_confirmed_order(
    command: NotifyCustomer,
    *,
    contacts: ContactDirectory,
    notifications: Notifications,
    now: Callable[[], datetime],
) -> None:
    result = notify_customer(command, contacts, notifications, now)
    span = trace.get_current_span()
    span.set_attribute("notification.channel", result.channel.value)
    # already_notified is a success: another event about the same order got there first.
    span.set_attribute("notification.outcome", result.outcome.value)
