"""Each confirmed order is notified once, by e-mail or SMS, or recorded as unreachable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from notifications_service.domain import (
    NO_CONTACT_DETAILS,
    Channel,
    Contact,
    Notification,
    NotificationOutcome,
    NotifyCustomer,
    OrderType,
)
from notifications_service.use_cases import NotificationResult, notify_customer
from twins.notifications import InMemoryContactDirectory, InMemoryNotifications

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
LATER = datetime(2025, 3, 14, 12, 5, tzinfo=UTC)
DUE = datetime(2025, 3, 14, 12, 45, tzinfo=UTC)
ANA = Contact("customer-7", name="Ana", email="ana@example.com", phone="+351900000000")


def _delivery(due: datetime | None = DUE) -> NotifyCustomer:
    return NotifyCustomer("order-1", "customer-7", OrderType.DELIVERY, due)


def test_a_customer_with_an_email_is_emailed_with_the_delivery_time() -> None:
    # Given Ana, who gave an e-mail address and a phone number
    contacts, notifications = InMemoryContactDirectory([ANA]), InMemoryNotifications()

    # When her delivery order is confirmed
    result = notify_customer(_delivery(), contacts, notifications, lambda: NOW)

    # Then she is e-mailed, by name, with the time it is due
    assert result == NotificationResult("order-1", Channel.EMAIL, NotificationOutcome.NOTIFIED)
    assert notifications.recorded["order-1"] == Notification(
        "order-1",
        "customer-7",
        Channel.EMAIL,
        NOW,
        recipient="ana@example.com",
        text="Hi Ana, your order order-1 is confirmed. It is due to be delivered at 12:45 (UTC) on 14 March 2025.",
    )


def test_a_customer_with_only_a_phone_gets_an_sms() -> None:
    # Given a customer with a phone number only
    contacts = InMemoryContactDirectory([Contact("customer-7", name="Ana", phone="+351900000000")])
    notifications = InMemoryNotifications()

    # When the order is confirmed
    notify_customer(_delivery(), contacts, notifications, lambda: NOW)

    # Then the message goes by SMS to that number
    sent = notifications.recorded["order-1"]
    assert (sent.channel, sent.recipient) == (Channel.SMS, "+351900000000")


def test_a_collection_order_is_confirmed_without_a_delivery_time() -> None:
    # Given Ana / When her collection order is confirmed
    notifications = InMemoryNotifications()
    collection = NotifyCustomer("order-1", "customer-7", OrderType.COLLECTION)
    notify_customer(collection, InMemoryContactDirectory([ANA]), notifications, lambda: NOW)

    # Then the text confirms it and says nothing about delivery
    assert notifications.recorded["order-1"].text == "Hi Ana, your order order-1 is confirmed."


def test_a_due_time_in_another_offset_says_which() -> None:
    # Given a due time stated at UTC+01:00 / When notified / Then the text names the offset
    notifications = InMemoryNotifications()
    due = datetime(2025, 3, 14, 13, 45, tzinfo=timezone(timedelta(hours=1)))
    notify_customer(_delivery(due), InMemoryContactDirectory([ANA]), notifications, lambda: NOW)
    assert "13:45 (UTC+0100) on 14 March 2025" in notifications.recorded["order-1"].text


def test_a_customer_without_contact_details_is_recorded_as_unreachable_for_support() -> None:
    # Given a customer the service has no contact details for
    contacts, notifications = InMemoryContactDirectory(), InMemoryNotifications()

    # When the order is confirmed
    result = notify_customer(_delivery(), contacts, notifications, lambda: NOW)

    # Then nothing is sent, and the record says why
    assert result == NotificationResult("order-1", Channel.NONE, NotificationOutcome.NOTIFIED)
    recorded = notifications.recorded["order-1"]
    assert (recorded.channel, recorded.recipient, recorded.reason) == (Channel.NONE, None, NO_CONTACT_DETAILS)
    assert recorded.reason == "no contact details on file"


def test_a_contact_with_a_name_but_no_email_or_phone_is_unreachable_too() -> None:
    # Given only a name on file / When the order is confirmed / Then the record says no contact details
    notifications = InMemoryNotifications()
    notify_customer(_delivery(), InMemoryContactDirectory([Contact("customer-7", "Ana")]), notifications, lambda: NOW)
    assert notifications.recorded["order-1"].reason == NO_CONTACT_DETAILS


def test_an_order_delivered_twice_is_notified_once() -> None:
    # Given an order the customer was told about
    contacts, notifications = InMemoryContactDirectory([ANA]), InMemoryNotifications()
    notify_customer(_delivery(), contacts, notifications, lambda: NOW)

    # When the same order arrives again (a redelivery, or another event about the same order)
    result = notify_customer(_delivery(), contacts, notifications, lambda: LATER)

    # Then no second message is recorded; the first stands
    assert result.outcome is NotificationOutcome.ALREADY_NOTIFIED
    assert notifications.recorded["order-1"].created_at == NOW


def test_contact_details_and_text_stay_out_of_repr() -> None:
    # Given a notification to Ana / When it is logged by accident / Then her details do not show
    notifications = InMemoryNotifications()
    notify_customer(_delivery(), InMemoryContactDirectory([ANA]), notifications, lambda: NOW)
    shown = repr(notifications.recorded["order-1"]) + repr(ANA)
    assert "ana@example.com" not in shown
    assert "+351900000000" not in shown
    assert "Ana" not in shown
