"""POST /orders with an Idempotency-Key: a repeat replays the first response, a misuse is refused."""

from __future__ import annotations

import dataclasses
import itertools
import json
from typing import Any

import pytest
from in_memory_idempotency_store import InMemoryIdempotencyStore
from order_api_support import api_request, wired_order_api

from integration_patterns.idempotent_requests import Completed, IdempotentRequests, JsonObject, RequestInProgress
from order_service.api_wiring import OrderApi
from twins.orders import InMemoryOrderRepository

ORDER = {"customerId": "c-1", "orderType": "collection", "items": [{"pizza": "Margherita", "quantity": 1}]}


class _AlwaysInProgress(IdempotentRequests):
    def run_once(self, key: str, work: Any, *, request: JsonObject | None = None) -> Completed:
        raise RequestInProgress(key)


def _api(requests: IdempotentRequests | None = None) -> OrderApi:
    ids = itertools.count(1)
    return wired_order_api(requests=requests, new_order_id=lambda: f"order-{next(ids)}")


_wired: list[OrderApi] = []


@pytest.fixture
def api() -> OrderApi:
    _wired[:] = [_api()]
    return _wired[0]


def _post(body: str | dict[str, Any], key: str | None = None) -> dict[str, Any]:
    headers = {"content-type": "application/json"}
    if key is not None:
        headers["idempotency-key"] = key
    text = body if isinstance(body, str) else json.dumps(body)
    return api_request(_wired[0], "POST", "/orders", text, headers, route_key="POST /orders")


def _orders(api: OrderApi) -> dict[str, Any]:
    assert isinstance(api.orders, InMemoryOrderRepository)
    return api.orders.orders


def test_a_repeat_with_the_same_key_and_body_gets_the_first_response_and_places_nothing(api: OrderApi) -> None:
    # Given an order placed with an Idempotency-Key
    first = _post(ORDER, key="k-1")

    # When the client sends it again with the same key (its first response was lost, say)
    again = _post(ORDER, key="k-1")

    # Then both are the same 202, the repeat marked as replayed, and there is one order; the watch
    # credentials are made for each answer (never remembered with the response), so both have them
    assert first["statusCode"] == again["statusCode"] == 202
    remembered = {
        "orderId": "order-for-k-1",
        "status": "ACCEPTED",
        "statusUrl": "https://api.test/orders/order-for-k-1",
    }
    for body in (json.loads(first["body"]), json.loads(again["body"])):
        assert {name: body.pop(name) for name in remembered} == remembered
        assert set(body) == {"watchUrl", "watchToken", "watchExpiresAt"}
    assert again["headers"]["Location"] == first["headers"]["Location"] == "https://api.test/orders/order-for-k-1"
    assert "Idempotent-Replayed" not in first["headers"]
    assert again["headers"]["Idempotent-Replayed"] == "true"
    assert list(_orders(api)) == ["order-for-k-1"]


def test_a_body_that_differs_only_in_field_order_and_whitespace_is_the_same_request(api: OrderApi) -> None:
    # Given an order placed with an Idempotency-Key
    _post(ORDER, key="k-1")

    # When the same order comes again, laid out differently, with a default spelled out
    relaid = '{ "items" : [ {"quantity": 1, "pizza": "Margherita"} ],\n "orderType":"collection", "customerId":"c-1",'
    relaid += ' "salesChannel": "web" }'
    again = _post(relaid, key="k-1")

    # Then it is a repeat
    assert again["statusCode"] == 202
    assert json.loads(again["body"])["orderId"] == "order-for-k-1"
    assert list(_orders(api)) == ["order-for-k-1"]


def test_the_same_key_with_a_different_body_is_refused_with_422(api: OrderApi) -> None:
    # Given an order placed with an Idempotency-Key
    _post(ORDER, key="k-1")

    # When another order comes with the same key
    refused = _post({**ORDER, "items": [{"pizza": "Diavola", "quantity": 3}]}, key="k-1")

    # Then it is refused, saying why (naming the header, not repeating the key), and no order is placed for it
    assert refused["statusCode"] == 422
    assert json.loads(refused["body"]) == {
        "message": "this Idempotency-Key was already used with a different request body"
    }
    assert list(_orders(api)) == ["order-for-k-1"]


def _forget_remembered_responses(api: OrderApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the function had stopped after storing the order but before remembering its response:
    the same orders, and an idempotency store that holds nothing."""
    forgetful = dataclasses.replace(_api(), orders=api.orders)
    _wired[:] = [forgetful]


def test_a_retry_whose_first_response_was_never_remembered_finds_the_order_instead_of_placing_another(
    api: OrderApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an order stored with an Idempotency-Key whose response was never remembered
    first = _post(ORDER, key="k-1")
    _forget_remembered_responses(api, monkeypatch)

    # When the client retries with the same key and body
    again = _post(ORDER, key="k-1")

    # Then it gets the same order back, and there is still one order
    assert again["statusCode"] == 202
    assert json.loads(again["body"]) == json.loads(first["body"])
    assert list(_orders(api)) == ["order-for-k-1"]


def test_a_different_body_for_a_key_whose_order_exists_is_refused_even_when_the_response_was_forgotten(
    api: OrderApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an order stored with an Idempotency-Key whose response was never remembered
    _post(ORDER, key="k-1")
    _forget_remembered_responses(api, monkeypatch)

    # When another order comes with that key
    refused = _post({**ORDER, "items": [{"pizza": "Diavola", "quantity": 3}]}, key="k-1")

    # Then the stored order itself tells them apart: 422, and still one order, unchanged
    assert refused["statusCode"] == 422
    assert list(_orders(api)) == ["order-for-k-1"]
    assert _orders(api)["order-for-k-1"].items[0].pizza == "Margherita"


@pytest.mark.parametrize(
    "invalid",
    [
        {**ORDER, "items": []},  # fails validation
        {**ORDER, "deliveryDueAt": "2099-01-01T12:00:00Z"},  # breaks an order rule
    ],
)
def test_an_invalid_order_is_not_remembered_so_its_correction_is_accepted_with_the_same_key(
    api: OrderApi, invalid: dict[str, Any]
) -> None:
    # Given an invalid order sent with an Idempotency-Key, and refused
    assert _post(invalid, key="k-1")["statusCode"] == 400

    # When the client corrects it and sends it with the same key
    corrected = _post(ORDER, key="k-1")

    # Then the correction is accepted, and it is the only order
    assert corrected["statusCode"] == 202
    assert "Idempotent-Replayed" not in corrected["headers"]
    assert list(_orders(api)) == [json.loads(corrected["body"])["orderId"]]


def test_a_key_still_in_progress_gets_409_with_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a key whose first request is still being processed
    wired = _api(_AlwaysInProgress(InMemoryIdempotencyStore(), key_prefix="POST /orders", ttl_seconds=60))
    _wired[:] = [wired]

    # When a request comes with that key
    response = _post(ORDER, key="k-1")

    # Then the client is told to retry shortly
    assert response["statusCode"] == 409
    assert response["headers"]["Retry-After"] == "1"
    assert "still in progress" in json.loads(response["body"])["message"]


def test_without_a_key_every_post_places_an_order_and_nothing_is_remembered(api: OrderApi) -> None:
    # When the same order is posted twice without a key
    first, second = _post(ORDER), _post(ORDER)

    # Then there are two orders
    assert first["statusCode"] == second["statusCode"] == 202
    assert list(_orders(api)) == ["order-1", "order-2"]


@pytest.mark.parametrize(("key", "reason"), [("", "is empty"), ("k" * 256, "at most 255")])
def test_an_empty_or_overlong_key_is_a_400_naming_the_header(api: OrderApi, key: str, reason: str) -> None:
    # When an order comes with an unusable key
    response = _post(ORDER, key=key)

    # Then it is refused, naming the header and why, and nothing is placed
    assert response["statusCode"] == 400
    [problem] = json.loads(response["body"])["errors"]
    assert problem["field"] == "Idempotency-Key"
    assert reason in problem["reason"]
    assert _orders(api) == {}
