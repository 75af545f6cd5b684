"""The notification use cases: pure functions over ports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from notifications_service.domain import Channel, NotificationOutcome, NotifyCustomer, confirmation_for
from notifications_service.ports import ContactDirectory, Notifications


@dataclass(frozen=True)
class NotificationResult:
    order_id: str
    channel: Channel
    outcome: NotificationOutcome


def notify_customer(
    command: NotifyCustomer,
    contacts: ContactDirectory,
    notifications: Notifications,
    now: Callable[[], datetime],
) -> NotificationResult:
    """Tell the customer once per order, however many events say it was confirmed; a customer
    without contact details is recorded as such."""
    notification = confirmation_for(command, contacts.contact_for(command.customer_id), now())
    recorded = notifications.record(notification)
    outcome = NotificationOutcome.NOTIFIED if recorded else NotificationOutcome.ALREADY_NOTIFIED
    return NotificationResult(command.order_id, notification.channel, outcome)
