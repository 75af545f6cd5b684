"""The ``order.confirmed`` event as subscribers see it, in either published version.

v1: ``amount`` is a number in the house currency. v2: ``amount`` is ``{currency, value}`` with the
value as a decimal string (exact, and the currency is explicit), and it adds ``salesChannel``.

The event is thin: identifiers and the facts subscribers need. The customer's contact details
stay with their owners; the delivery details (address, contact phone, notes), which the delivery
service needs, are encrypted bound to the order id, and travel only as a claim check that the
delivery service alone may redeem (see ``contracts.ORDER_EVENT_CLAIMS``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping

from cloudevents.core.v1.event import CloudEvent
from pydantic import Field

from integration_patterns.cloudevents_envelope import new_event
from integration_patterns.event_data import EventData, IsoDateTime
from order_service.adapters.contracts import EVENT_SOURCE, OrderLine, OrderLines
from order_service.domain.order import DeliveryAddress, Order, OrderType, SalesChannel
from pizza_contracts import ENCRYPTION_CONTEXT_ORDER_ID, ORDER_CONFIRMED, ORDER_CONFIRMED_VERSIONS

# Encrypts a field bound to a context (the order id); returns base64 ciphertext.
FieldEncryptor = Callable[[str, Mapping[str, str]], str]

_EVENT_IDS = uuid.UUID("6f1c1d2e-4f54-4b8a-9d2a-0c5e3f1a7b10")


class EncryptedAddress(EventData):
    """The delivery details (address, contact phone, notes), sealed for the delivery service alone.

    The plaintext is a JSON object (line1, line2, city, postcode, contactPhone, notes; the optional
    ones only when given) encrypted with KMS under an encryption context binding it to the order
    (``orderId``): it decrypts only as this order's details. It travels as a claim check restricted
    to the delivery service: other subscribers never receive it, not even as ciphertext.
    """

    ciphertext: str = Field(
        min_length=1,
        json_schema_extra={"contentEncoding": "base64"},
        description="The KMS ciphertext of the details, in base64.",
    )
    key_id: str = Field(min_length=1, description="The KMS key (id, ARN or alias) the details were encrypted under.")


class Money(EventData):
    """An exact amount of money in a named currency."""

    currency: str = Field(
        pattern=r"^[A-Z]{3}$", description="The ISO 4217 currency code; EUR, the house currency, for every order today."
    )
    value: str = Field(
        pattern=r"^[0-9]+\.[0-9]{2}$",
        description='The amount in that currency as decimal text with two decimals ("28.00"): exact, never a float.',
    )


class _OrderConfirmed(EventData):
    order_id: str = Field(
        min_length=1,
        description="The order's id (a UUID the order API assigned): each subscriber's key for what it records.",
    )
    customer_id: str = Field(
        min_length=1, description="Who placed the order: loyalty awards them points, notifications tells them."
    )
    order_type: OrderType = Field(
        description="Whether the order is delivered (the delivery service schedules it) or collected."
    )
    items: OrderLines = Field(description="The order's lines (analytics counts the pizzas).")
    confirmed_at: IsoDateTime = Field(
        description="When the kitchen acknowledged the order, which confirmed it (ISO 8601, with its offset)."
    )
    delivery_due_at: IsoDateTime | None = Field(
        description="When a delivery order is due at the customer (ISO 8601, with its offset); null for a collection."
    )
    delivery_address: EncryptedAddress | None = Field(
        description=(
            "A delivery order's sealed delivery details; null for a collection. On the way, the field is "
            "moved into a claim check only the delivery service may redeem (the event's restrictedref "
            "attribute): the delivery service reads it back in place, the other subscribers' copies lack it."
        )
    )


class OrderConfirmedV1(_OrderConfirmed):
    """The kitchen confirmed an order: the rest of the restaurant hears about it (v1).

    Published once per order on the order events topic and bus, for every subscriber (loyalty,
    notifications, delivery, analytics). Its id is the same each time the order is announced, so a
    subscriber's inbox drops a re-announcement. v1's amount is a number in the house currency.
    """

    amount: float = Field(ge=0, description="The order's total in euros (the house currency), as a JSON number.")


class OrderConfirmedV2(_OrderConfirmed):
    """The kitchen confirmed an order: the rest of the restaurant hears about it (v2).

    Published once per order on the order events topic and bus, for every subscriber (loyalty,
    notifications, delivery, analytics). Its id is the same each time the order is announced, so a
    subscriber's inbox drops a re-announcement. Unlike v1, the amount is exact and names its
    currency, and the sales channel is given.
    """

    amount: Money = Field(description="The order's total.")
    sales_channel: SalesChannel = Field(
        description="Where the customer placed the order (loyalty doubles the points of an app order)."
    )


def order_confirmed_event_id(order_id: str) -> str:
    """Stable per order: a re-announcement is the same event, so subscribers' inboxes drop it."""
    return str(uuid.uuid5(_EVENT_IDS, f"{ORDER_CONFIRMED}/{order_id}"))


def order_confirmed_event(order: Order, version: int, encrypt: FieldEncryptor, key_id: str) -> CloudEvent:
    published = {event_type.version: event_type for event_type in ORDER_CONFIRMED_VERSIONS}
    if version not in published:
        raise ValueError(f"order.confirmed v{version} is not published; versions: {sorted(published)}")
    if order.acknowledged_at is None:
        raise ValueError("order.confirmed announces an acknowledged order: this one has no acknowledgement time")
    address = _encrypted(order, encrypt, key_id)
    items = [OrderLine.of(item) for item in order.items]
    data: EventData
    if version == 1:
        data = OrderConfirmedV1(
            order_id=order.order_id,
            customer_id=order.customer_id,
            order_type=order.order_type,
            items=items,
            confirmed_at=order.acknowledged_at,
            delivery_due_at=order.delivery_due_at,
            delivery_address=address,
            amount=order.total.minor_units / 100,
        )
    else:
        data = OrderConfirmedV2(
            order_id=order.order_id,
            customer_id=order.customer_id,
            order_type=order.order_type,
            items=items,
            confirmed_at=order.acknowledged_at,
            delivery_due_at=order.delivery_due_at,
            delivery_address=address,
            amount=Money(currency=order.total.currency, value=order.total.decimal_text()),
            sales_channel=order.sales_channel,
        )
    return new_event(
        published[version],
        EVENT_SOURCE,
        data.to_data(),
        subject=order.order_id,
        new_id=lambda: order_confirmed_event_id(order.order_id),
    )


def _encrypted(order: Order, encrypt: FieldEncryptor, key_id: str) -> EncryptedAddress | None:
    if order.delivery_address is None:
        return None
    plaintext = json.dumps(_address_fields(order.delivery_address))
    ciphertext = encrypt(plaintext, {ENCRYPTION_CONTEXT_ORDER_ID: order.order_id})
    return EncryptedAddress(ciphertext=ciphertext, key_id=key_id)


def _address_fields(address: DeliveryAddress) -> dict[str, str]:
    fields = {"line1": address.line1, "city": address.city, "postcode": address.postcode}
    optional = {"line2": address.line2, "contactPhone": address.contact_phone, "notes": address.notes}
    fields.update({name: value for name, value in optional.items() if value})
    return fields
