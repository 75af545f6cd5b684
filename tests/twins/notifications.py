"""In-memory twins of the adapters, for unit tests of the use cases."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from notifications_service.domain import Contact, Notification
from notifications_service.ports import ContactDirectory, Notifications


class InMemoryContactDirectory(ContactDirectory):
    def __init__(self, contacts: Iterable[Contact] = ()) -> None:
        self.contacts = {c.customer_id: c for c in contacts}

    def contact_for(self, customer_id: str) -> Contact | None:
        contact = self.contacts.get(customer_id)
        if contact is None:
            return None
        # As the DynamoDB adapter reads them: an empty detail counts as absent.
        return replace(contact, name=contact.name or None, email=contact.email or None, phone=contact.phone or None)


class InMemoryNotifications(Notifications):
    def __init__(self) -> None:
        self.recorded: dict[str, Notification] = {}

    def record(self, notification: Notification) -> bool:
        if notification.order_id in self.recorded:
            return False
        self.recorded[notification.order_id] = notification
        return True
