"""What the customer is told about a confirmed order, and through which channel.

Contact details and the message text are personal data: they are kept out of ``repr`` so that an
accidental log of these objects does not leak them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum, StrEnum


class OrderType(StrEnum):
    DELIVERY = "delivery"
    COLLECTION = "collection"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    NONE = "none"  # nobody could be told; the record says why, for support


NO_CONTACT_DETAILS = "no contact details on file"


class NotificationOutcome(Enum):
    NOTIFIED = "notified"
    ALREADY_NOTIFIED = "already_notified"  # another event about the same order was notified first


@dataclass(frozen=True)
class NotifyCustomer:
    """Command: tell the customer that their order is confirmed (and, for a delivery, when it is due)."""

    order_id: str
    customer_id: str
    order_type: OrderType
    delivery_due_at: datetime | None = None


@dataclass(frozen=True)
class Contact:
    customer_id: str
    name: str | None = field(default=None, repr=False)
    email: str | None = field(default=None, repr=False)
    phone: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Notification:
    order_id: str
    customer_id: str
    channel: Channel
    created_at: datetime
    recipient: str | None = field(default=None, repr=False)
    text: str = field(default="", repr=False)
    reason: str | None = None  # why nothing was sent, when channel is NONE


def confirmation_for(command: NotifyCustomer, contact: Contact | None, now: datetime) -> Notification:
    """E-mail when the customer gave an address, else SMS; with neither, a record of why not."""
    text = _confirmation_text(command, contact.name if contact else None)
    if contact and contact.email:
        return Notification(command.order_id, command.customer_id, Channel.EMAIL, now, contact.email, text)
    if contact and contact.phone:
        return Notification(command.order_id, command.customer_id, Channel.SMS, now, contact.phone, text)
    return Notification(command.order_id, command.customer_id, Channel.NONE, now, None, text, NO_CONTACT_DETAILS)


def _confirmation_text(command: NotifyCustomer, name: str | None) -> str:
    greeting = f"Hi {name}," if name else "Hi,"
    text = f"{greeting} your order {command.order_id} is confirmed."
    if command.order_type is OrderType.DELIVERY and command.delivery_due_at is not None:
        text += f" It is due to be delivered at {_clock_time(command.delivery_due_at)}."
    return text


def _clock_time(at: datetime) -> str:
    # The order service states the time in the restaurant's offset; say which, so it is unambiguous.
    offset = at.utcoffset()
    zone = "UTC" if offset in (None, timedelta(0)) else f"UTC{at:%z}"
    return f"{at:%H:%M} ({zone}) on {at:%d %B %Y}"
