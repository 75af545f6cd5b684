"""Deliveries: where and when a confirmed delivery order goes.

The address is personal data that arrives encrypted and is decrypted only here. Its ``repr`` is
redacted, so an accidental log of an address, or of a delivery holding one, cannot leak it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import TypeAlias


@dataclass(frozen=True)
class EncryptedAddress:
    ciphertext: str = field(repr=False)  # base64, under the order's encryption context
    key_id: str


@dataclass(frozen=True, repr=False)
class Address:
    line1: str
    city: str
    postcode: str
    line2: str | None = None
    contact_phone: str | None = None
    notes: str | None = None

    def __repr__(self) -> str:
        return "Address(<redacted>)"


@dataclass(frozen=True)
class ScheduleDelivery:
    """Command: deliver this confirmed order to the (still encrypted) address by ``due_at``."""

    order_id: str
    customer_id: str
    address: EncryptedAddress
    due_at: datetime


@dataclass(frozen=True)
class CollectionOrder:
    """A confirmed order the customer collects: there is nothing for delivery to do."""

    order_id: str
    customer_id: str


ConfirmedOrder: TypeAlias = ScheduleDelivery | CollectionOrder


class DeliveryStatus(StrEnum):
    SCHEDULED = "SCHEDULED"


@dataclass(frozen=True)
class Delivery:
    order_id: str
    customer_id: str
    address: Address
    due_at: datetime
    status: DeliveryStatus
    created_at: datetime


class DeliveryOutcome(Enum):
    SCHEDULED = "scheduled"
    ALREADY_SCHEDULED = "already_scheduled"
    NOT_FOR_DELIVERY = "not_for_delivery"  # a collection order


def schedule(command: ScheduleDelivery, address: Address, now: datetime) -> Delivery:
    return Delivery(command.order_id, command.customer_id, address, command.due_at, DeliveryStatus.SCHEDULED, now)
