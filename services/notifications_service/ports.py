"""What the notification use cases need from the outside world."""

from __future__ import annotations

from abc import ABC, abstractmethod

from notifications_service.domain import Contact, Notification


class ContactDirectory(ABC):
    """Customers' contact details, which this service owns (events never carry them)."""

    @abstractmethod
    def contact_for(self, customer_id: str) -> Contact | None:
        """The customer's contact details, or None when none are on file."""


class Notifications(ABC):
    """The record of what each customer was told (the outbox of messages to customers)."""

    @abstractmethod
    def record(self, notification: Notification) -> bool:
        """Record the notification unless its order has one; True when this call recorded it.

        Once per order, not per event: two different events about the same order record one.
        """
