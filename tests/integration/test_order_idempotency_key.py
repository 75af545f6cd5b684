"""POST /orders with an Idempotency-Key: one order per key, however often the client sends it.

A repeat with the same body gets the first response back and creates nothing; the same key with
another body is refused (422); an invalid body is not remembered, so its correction can use the key.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from integration_support import AwsClients, OrdersApi, Telemetry, collection_order, eventually, new_id

from order_service.domain.order import OrderStatus

# How long to keep watching for a second order or kitchen request that must not come: the outbox
# relay and the kitchen's queue trigger each take about a second on the emulator.
SETTLE_SECONDS = 5


def _key() -> dict[str, str]:
    return {"Idempotency-Key": new_id("key")}


def _new_customers_order() -> tuple[str, dict[str, Any], dict[str, str]]:
    """A customer of its own (so their orders can be counted), an order, and a fresh key."""
    customer_id = new_id("customer-idem")
    return customer_id, collection_order(customer_id=customer_id), _key()


def _accepted(response: httpx.Response) -> httpx.Response:
    assert response.status_code == 202, response.text
    return response


def _records_of(aws: AwsClients, table: str, customer_id: str) -> list[str]:
    """The order ids of the customer's items in a table (orders or kitchen-orders)."""
    items: list[dict[str, Any]] = []
    for page in aws.dynamodb.get_paginator("scan").paginate(
        TableName=aws.table(table),
        FilterExpression="customerId = :customer",
        ExpressionAttributeValues={":customer": {"S": customer_id}},
        ConsistentRead=True,
    ):
        items.extend(page["Items"])
    return sorted(item["orderId"]["S"] for item in items)


# A watch token is minted for each answer, a replay's too (never remembered with the idempotency
# record; adapters/order_updates.py): it expires 24 h from when it was made, so two answers a second
# apart carry different tokens for the same customer. Everything else in a replay is the first answer.
FRESH_WATCH_FIELDS = ("watchToken", "watchUrl", "watchExpiresAt")


def _assert_same_answer(again: dict[str, Any], first: dict[str, Any]) -> None:
    assert {k: v for k, v in again.items() if k not in FRESH_WATCH_FIELDS} == {
        k: v for k, v in first.items() if k not in FRESH_WATCH_FIELDS
    }
    # The token's first part names the customer it lets watch: the same one.
    assert again["watchToken"].split(".")[0] == first["watchToken"].split(".")[0]


def _stays(probe: Any, expected: Any, seconds: float = SETTLE_SECONDS) -> None:
    """Fail if ``probe()`` is ever not ``expected`` during the next few seconds."""
    try:
        eventually(lambda: probe() != expected, timeout=seconds, interval=0.5)
    except AssertionError:
        return
    raise AssertionError(f"expected {expected!r} to hold, got {probe()!r}")


def test_a_repeated_post_with_the_same_key_and_body_places_one_order_and_the_kitchen_gets_it_once(
    orders_api: OrdersApi, aws: AwsClients, telemetry: Telemetry
) -> None:
    # Given a new customer's order and an Idempotency-Key
    customer_id, order, key = _new_customers_order()

    # When the client posts it, then posts it again with the same key (its first answer was lost)
    first = orders_api.place(order, headers=key)
    again = orders_api.place(order, headers=key)

    # Then both answers are the same 202: same order id, status URL and Location
    assert (first.status_code, again.status_code) == (202, 202), (first.text, again.text)
    order_id = first.json()["orderId"]
    _assert_same_answer(again.json(), first.json())
    assert again.headers["location"] == first.headers["location"] == first.json()["statusUrl"]
    # And the second says it is a replay
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    # And there is exactly one order item for the customer, and it stays the only one
    assert _records_of(aws, "orders", customer_id) == [order_id]
    # And the kitchen receives that order once: one kitchen order, acknowledged, from one delivery
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED", timeout=60)
    assert _records_of(aws, "kitchen-orders", customer_id) == [order_id]
    eventually(lambda: telemetry.consumer_spans("kitchen-processor", order_id), what="the kitchen's span")
    _stays(lambda: len(telemetry.consumer_spans("kitchen-processor", order_id)), 1)
    assert _records_of(aws, "orders", customer_id) == [order_id]
    assert _records_of(aws, "kitchen-orders", customer_id) == [order_id]


def test_the_same_key_with_a_different_body_is_refused_with_422_and_places_nothing(
    orders_api: OrdersApi, aws: AwsClients
) -> None:
    # Given an order accepted with an Idempotency-Key
    customer_id, order, key = _new_customers_order()
    first = _accepted(orders_api.place(order, headers=key))

    # When the client posts a different order with the same key
    refused = orders_api.place({**order, "items": [{"pizza": "Diavola", "quantity": 2}]}, headers=key)

    # Then it is refused with 422, naming the header (not repeating the key) and the problem
    assert refused.status_code == 422, refused.text
    assert refused.json() == {"message": "this Idempotency-Key was already used with a different request body"}
    # And no second order was placed
    assert _records_of(aws, "orders", customer_id) == [first.json()["orderId"]]


def _forget_remembered_responses(aws: AwsClients) -> None:
    """As if the function had stopped after storing the order but before remembering its response
    (or the 24 h memory had expired): the API's idempotency records are gone."""
    table = aws.table("order-api-idempotency")
    for page in aws.dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        for item in page["Items"]:
            aws.dynamodb.delete_item(TableName=table, Key={"id": item["id"]})


def test_a_retry_whose_response_was_never_remembered_gets_the_same_order_not_a_second_one(
    orders_api: OrdersApi, aws: AwsClients
) -> None:
    # Given an order stored with an Idempotency-Key whose response the API no longer remembers
    customer_id, order, key = _new_customers_order()
    first = _accepted(orders_api.place(order, headers=key))
    _forget_remembered_responses(aws)

    # When the client retries with the same key and body
    again = orders_api.place(order, headers=key)

    # Then the order's id, which the key names, finds the stored order: the same order, not a second
    assert again.status_code == 202, again.text
    order_id = first.json()["orderId"]
    assert again.json()["orderId"] == order_id
    assert again.headers["location"] == again.json()["statusUrl"] == first.json()["statusUrl"]
    assert _records_of(aws, "orders", customer_id) == [order_id]
    # And the answer shows the stored order as it is now: the kitchen may have acknowledged it
    # between the two requests, so the status is any legal one, not necessarily the first answer's
    assert again.json()["status"] in {status.value for status in OrderStatus}, again.text
    # And that one order goes on to be acknowledged
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED", timeout=60)
    # And another body under that key is still refused, by the stored order itself
    _forget_remembered_responses(aws)
    refused = orders_api.place({**order, "items": [{"pizza": "Diavola", "quantity": 2}]}, headers=key)
    assert refused.status_code == 422, refused.text
    assert _records_of(aws, "orders", customer_id) == [order_id]


def test_a_body_that_differs_only_in_field_order_and_whitespace_is_the_same_request(
    orders_api: OrdersApi, aws: AwsClients
) -> None:
    # Given an order accepted with an Idempotency-Key
    customer_id, order, key = _new_customers_order()
    first = _accepted(orders_api.place(order, headers=key))

    # When the client sends the same order laid out differently: fields reversed, indented
    relaid = json.dumps(dict(reversed(list(order.items()))), indent=4, separators=(" ,", " :  "))
    again = orders_api.place_raw(relaid, headers=key)

    # Then it is the same request: the first answer again, and one order
    assert again.status_code == 202, again.text
    _assert_same_answer(again.json(), first.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert _records_of(aws, "orders", customer_id) == [first.json()["orderId"]]


def test_an_invalid_body_is_not_remembered_so_the_corrected_body_is_accepted_with_the_same_key(
    orders_api: OrdersApi, aws: AwsClients
) -> None:
    # Given an invalid order (no items) posted with an Idempotency-Key, and refused
    customer_id, order, key = _new_customers_order()
    invalid = orders_api.place({**order, "items": []}, headers=key)
    assert invalid.status_code == 400, invalid.text
    assert [e["field"] for e in invalid.json()["errors"]] == ["items"]

    # When the client corrects the body and posts it with the same key
    corrected = orders_api.place(order, headers=key)

    # Then the correction is accepted as a new request, and it is the customer's only order
    assert corrected.status_code == 202, corrected.text
    assert "idempotent-replayed" not in corrected.headers
    assert _records_of(aws, "orders", customer_id) == [corrected.json()["orderId"]]


def test_an_empty_or_overlong_key_is_a_400_naming_the_header(orders_api: OrdersApi, aws: AwsClients) -> None:
    customer_id = new_id("customer-idem")
    for key, reason in (("", "is empty"), ("k" * 256, "at most 255")):
        # When an order comes with an unusable key
        response = orders_api.place(collection_order(customer_id=customer_id), headers={"Idempotency-Key": key})

        # Then it is refused, naming the header and why
        assert response.status_code == 400, response.text
        [problem] = response.json()["errors"]
        assert problem["field"] == "Idempotency-Key"
        assert reason in problem["reason"]
    # And nothing was placed
    assert _records_of(aws, "orders", customer_id) == []
