"""Building events' data through their models changed nothing on the wire: each published event
serializes byte for byte as it did when its builder wrote the data as a plain dict.

The dicts below are those builders' code as it was (commit 5b01d8e), kept as the reference.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from cloudevents.core.v1.event import CloudEvent
from published_event_samples import (
    COLLECTION_ORDER,
    DELIVERY_ORDER,
    FAILED_ORDER,
    KEY_ID,
    published_samples,
    seal,
)

from integration_patterns.cloudevents_envelope import to_json
from order_service.domain.order import DeliveryAddress, Order, OrderItem


def _item_view(item: OrderItem) -> dict[str, object]:
    view: dict[str, object] = {"pizza": item.pizza, "quantity": item.quantity}
    if item.notes:
        view["notes"] = item.notes
    return view


def _placed(order: Order) -> dict[str, Any]:
    return {
        "orderId": order.order_id,
        "customerId": order.customer_id,
        "orderType": order.order_type.value,
        "items": [_item_view(i) for i in order.items],
        "placedAt": order.placed_at.isoformat(),
    }


def _confirmed(order: Order, version: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "orderId": order.order_id,
        "customerId": order.customer_id,
        "orderType": order.order_type.value,
        "items": [_item_view(item) for item in order.items],
        "confirmedAt": _iso(order.acknowledged_at),
        "deliveryDueAt": _iso(order.delivery_due_at),
        "deliveryAddress": _encrypted(order),
    }
    if version == 1:
        data["amount"] = order.total.minor_units / 100
    else:
        data["amount"] = {"currency": order.total.currency, "value": order.total.decimal_text()}
        data["salesChannel"] = order.sales_channel.value
    return data


def _encrypted(order: Order) -> dict[str, str] | None:
    if order.delivery_address is None:
        return None
    plaintext = json.dumps(_address_fields(order.delivery_address))
    return {"ciphertext": seal(plaintext, {"orderId": order.order_id}), "keyId": KEY_ID}


def _address_fields(address: DeliveryAddress) -> dict[str, str]:
    fields = {"line1": address.line1, "city": address.city, "postcode": address.postcode}
    optional = {"line2": address.line2, "contactPhone": address.contact_phone, "notes": address.notes}
    fields.update({name: value for name, value in optional.items() if value})
    return fields


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _due_soon(order: Order) -> dict[str, Any]:
    return {
        "orderId": order.order_id,
        "dueAt": order.delivery_due_at.isoformat() if order.delivery_due_at else None,
        "items": [{"pizza": item.pizza, "quantity": item.quantity} for item in order.items],
    }


def _status_changes(label: str, order: Order) -> dict[str, dict[str, Any]]:
    return {
        f"status-changed v1, {label} order #{sequence}": {
            "orderId": order.order_id,
            "customerId": order.customer_id,
            "sequence": sequence,
            "status": change.status.value,
            "at": change.at.isoformat(),
            "reason": change.reason,
            "callbackUrl": order.callback_url,
        }
        for sequence, change in enumerate(order.history)
    }


BEFORE_MODELS: dict[str, dict[str, Any]] = {
    "order.placed v1, delivery": _placed(DELIVERY_ORDER),
    "order.placed v1, collection (saga)": _placed(COLLECTION_ORDER),
    "order.confirmed v1, delivery": _confirmed(DELIVERY_ORDER, 1),
    "order.confirmed v1, collection": _confirmed(COLLECTION_ORDER, 1),
    "order.confirmed v2, delivery": _confirmed(DELIVERY_ORDER, 2),
    "order.confirmed v2, collection": _confirmed(COLLECTION_ORDER, 2),
    "delivery.due-soon v1": _due_soon(DELIVERY_ORDER),
    **_status_changes("acknowledged", DELIVERY_ORDER),
    **_status_changes("failed", FAILED_ORDER),
    "kitchen acknowledged v1": {"orderId": DELIVERY_ORDER.order_id},
}
SAMPLES = published_samples()


def test_every_published_sample_has_its_reference_from_before_the_models() -> None:
    # Given the samples of every published event / Then each has the data its old builder made
    assert sorted(SAMPLES) == sorted(BEFORE_MODELS)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_event_serializes_byte_for_byte_as_before(name: str) -> None:
    # Given an event built through its data model, and the same event with its data as the old builder made it
    event = SAMPLES[name]
    before = CloudEvent(attributes=event.get_attributes(), data=BEFORE_MODELS[name])

    # When both are serialized as they are sent
    # Then the bytes are the same: the same fields, in the same order, the same JSON types, nulls kept
    assert to_json(event) == to_json(before)
