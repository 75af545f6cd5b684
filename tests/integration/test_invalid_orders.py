"""Bad input gets a 400 naming each bad field, and nothing is stored or sent."""

from __future__ import annotations

import json

import pytest
from integration_support import AwsClients, OrdersApi, Telemetry, collection_order, delivery_order

VALID = collection_order()

# (what was tried, raw request body, JSON paths that must be reported)
INVALID_REQUESTS = [
    ("body is not JSON", "{not json", ["body"]),
    ("empty body", "", ["body"]),
    ("JSON array instead of an order", "[]", ["body"]),
    ("no customer", json.dumps({k: v for k, v in VALID.items() if k != "customerId"}), ["customerId"]),
    ("no items", json.dumps({**VALID, "items": []}), ["items"]),
    ("zero quantity", json.dumps({**VALID, "items": [{"pizza": "Margherita", "quantity": 0}]}), ["items.0.quantity"]),
    (
        "quantity as text",
        json.dumps({**VALID, "items": [{"pizza": "Margherita", "quantity": "2"}]}),
        ["items.0.quantity"],
    ),
    ("blank pizza name", json.dumps({**VALID, "items": [{"pizza": " ", "quantity": 1}]}), ["items.0.pizza"]),
    ("unknown order type", json.dumps({**VALID, "orderType": "teleport"}), ["orderType"]),
    (
        "delivery without an address",
        json.dumps({k: v for k, v in delivery_order().items() if k != "deliveryAddress"}),
        ["deliveryAddress"],
    ),
    (
        "delivery address missing its postcode",
        json.dumps({**delivery_order(), "deliveryAddress": {"line1": "1 Crust Street", "city": "Naples"}}),
        ["deliveryAddress.postcode"],
    ),
    ("unexpected field", json.dumps({**VALID, "discount": 100}), ["discount"]),
    (
        "several problems at once",
        json.dumps({"customerId": "", "orderType": "delivery", "items": [{"pizza": "x", "quantity": 99}]}),
        ["customerId", "items.0.quantity", "deliveryAddress"],
    ),
]


@pytest.mark.parametrize(("tried", "body", "bad_fields"), INVALID_REQUESTS, ids=[c[0] for c in INVALID_REQUESTS])
def test_invalid_order_is_rejected_with_each_bad_field_and_nothing_is_stored_or_sent(
    tried: str, body: str, bad_fields: list[str], orders_api: OrdersApi, aws: AwsClients, telemetry: Telemetry
) -> None:
    # Given the system's current orders and messages sent to the kitchen
    orders_before = aws.item_count("orders")
    sends_before = len(telemetry.store.spans_matching({"messaging.destination.name": "pizza-kitchen-orders"}))

    # When a client posts an invalid order (what was tried: the test id)
    response = orders_api.place_raw(body)

    # Then it gets a 400 whose body names every bad field with a reason
    assert response.status_code == 400, tried
    problem = response.json()
    reported = [error["field"] for error in problem["errors"]]
    assert sorted(reported) == sorted(bad_fields)
    assert all(error["reason"] for error in problem["errors"])
    assert "orderId" not in problem
    # And nothing was stored, and nothing was sent to the kitchen (spans are flushed before the response)
    assert aws.item_count("orders") == orders_before
    assert len(telemetry.store.spans_matching({"messaging.destination.name": "pizza-kitchen-orders"})) == sends_before
