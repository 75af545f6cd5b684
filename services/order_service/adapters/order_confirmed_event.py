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
from datetime import datetime
from typing import Any

from cloudevents.core.v1.event import CloudEvent

from integration_patterns.cloudevents_envelope import new_event
from order_service.adapters.contracts import EVENT_SOURCE, item_view
from order_service.domain.order import DeliveryAddress, Order
from pizza_contracts import ENCRYPTION_CONTEXT_ORDER_ID, ORDER_CONFIRMED, ORDER_CONFIRMED_VERSIONS

# Encrypts a field bound to a context (the order id); returns base64 ciphertext.
FieldEncryptor = Callable[[str, Mapping[str, str]], str]

_EVENT_IDS = uuid.UUID("6f1c1d2e-4f54-4b8a-9d2a-0c5e3f1a7b10")


def order_confirmed_event_id(order_id: str) -> str:
    """Stable per order: a re-announcement is the same event, so subscribers' inboxes drop it."""
    return str(uuid.uuid5(_EVENT_IDS, f"{ORDER_CONFIRMED}/{order_id}"))


def order_confirmed_event(order: Order, version: int, encrypt: FieldEncryptor, key_id: str) -> CloudEvent:
    published = {event_type.version: event_type for event_type in ORDER_CONFIRMED_VERSIONS}
    if version not in published:
        raise ValueError(f"order.confirmed v{version} is not published; versions: {sorted(published)}")
    data: dict[str, Any] = {
        "orderId": order.order_id,
        "customerId": order.customer_id,
        "orderType": order.order_type.value,
        "items": [item_view(item) for item in order.items],
        "confirmedAt": _iso(order.acknowledged_at),
        "deliveryDueAt": _iso(order.delivery_due_at),
        "deliveryAddress": _encrypted(order, encrypt, key_id),
    }
    if version == 1:
        data["amount"] = order.total.minor_units / 100
    else:
        data["amount"] = {"currency": order.total.currency, "value": order.total.decimal_text()}
        data["salesChannel"] = order.sales_channel.value
    return new_event(
        published[version],
        EVENT_SOURCE,
        data,
        subject=order.order_id,
        new_id=lambda: order_confirmed_event_id(order.order_id),
    )


def _encrypted(order: Order, encrypt: FieldEncryptor, key_id: str) -> dict[str, str] | None:
    if order.delivery_address is None:
        return None
    plaintext = json.dumps(_address_fields(order.delivery_address))
    return {"ciphertext": encrypt(plaintext, {ENCRYPTION_CONTEXT_ORDER_ID: order.order_id}), "keyId": key_id}


def _address_fields(address: DeliveryAddress) -> dict[str, str]:
    fields = {"line1": address.line1, "city": address.city, "postcode": address.postcode}
    optional = {"line2": address.line2, "contactPhone": address.contact_phone, "notes": address.notes}
    fields.update({name: value for name, value in optional.items() if value})
    return fields


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
