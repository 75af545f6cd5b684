"""The orders API refuses what it cannot take with a 4xx that names the rule, echoes none of the
input, and stores nothing: bodies that are not JSON or not UTF-8, duplicate keys, invisible or
control characters, pizzas not on the menu, due times that are not RFC 3339, ids no key can hold,
and paths that are not routes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from in_memory_idempotency_store import InMemoryIdempotencyStore
from order_api_support import api_request, wired_order_api

from integration_patterns.idempotent_requests import Completed, IdempotentRequests, JsonObject, RequestInProgress
from order_service.api_wiring import OrderApi
from order_service.domain.menu import menu, price_of
from order_service.domain.order import Order
from twins.orders import InMemoryOrderRepository

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
ORDER: dict[str, Any] = {
    "customerId": "c-1",
    "orderType": "collection",
    "items": [{"pizza": "Margherita", "quantity": 1}],
}
ADDRESS = {"line1": "1 Crust Street", "line2": "Flat 2", "city": "Naples", "postcode": "80100"}
DELIVERY: dict[str, Any] = {**ORDER, "orderType": "delivery", "deliveryAddress": ADDRESS}
JSON = {"content-type": "application/json"}


class _WatchedOrders(InMemoryOrderRepository):
    """The in-memory orders, noting every id the API looked up."""

    def __init__(self) -> None:
        super().__init__()
        self.looked_up: list[str] = []

    def get(self, order_id: str) -> Order | None:
        self.looked_up.append(order_id)
        return super().get(order_id)


class _AlwaysInProgress(IdempotentRequests):
    def run_once(self, key: str, work: Any, *, request: JsonObject | None = None) -> Completed:
        raise RequestInProgress(key)


def _wire(requests: IdempotentRequests | None = None) -> OrderApi:
    return wired_order_api(
        orders=_WatchedOrders(),
        requests=requests,
        new_order_id=lambda: "order-1",
        order_id_for_key=lambda key: "order-for-key",
        now=lambda: NOW,
    )


_wired: list[OrderApi] = []


@pytest.fixture
def api() -> OrderApi:
    _wired[:] = [_wire()]
    return _wired[0]


def _request(
    method: str,
    path: str,
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    return api_request(_wired[0], method, path, body, headers if headers is not None else dict(JSON))


def _post(body: dict[str, Any] | str | bytes, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return _request("POST", "/orders", body if isinstance(body, str | bytes) else json.dumps(body), headers)


def _stored(api: OrderApi) -> dict[str, Order]:
    assert isinstance(api.orders, InMemoryOrderRepository)
    return api.orders.orders


def _refusal(response: dict[str, Any], status: int = 400) -> dict[str, Any]:
    """The error body, once it is known to be the expected status, a JSON object with a message."""
    assert response["statusCode"] == status, response["body"]
    body = json.loads(response["body"])
    assert body["message"]
    return dict(body)


def _problems(response: dict[str, Any], status: int = 400) -> dict[str, str]:
    """The refused fields and their reasons."""
    return {problem["field"]: problem["reason"] for problem in _refusal(response, status)["errors"]}


def test_a_valid_order_is_still_accepted(api: OrderApi) -> None:
    # Given a valid delivery order, due in an hour, in RFC 3339 / When it is posted / Then it is accepted
    response = _post({**DELIVERY, "deliveryDueAt": "2025-03-14T14:00:00+01:00"})
    assert response["statusCode"] == 202, response["body"]
    assert _stored(api)["order-1"].delivery_due_at == datetime(2025, 3, 14, 13, 0, tzinfo=UTC)


# 1 and 6: what the body is declared as, and whether it is text.


@pytest.mark.parametrize(
    "headers",
    [
        {"content-type": "image/png"},
        {"content-type": "application/x-www-form-urlencoded"},
        {"content-type": "text/plain"},
        {"content-type": "application/problem+json"},
        {"content-type": "application/json; charset=latin-1"},
        {"content-type": "application/json; version=2"},
        {"content-type": "application/json, image/png"},  # two headers, joined by API Gateway
        {},
    ],
    ids=["png", "form", "text", "problem+json", "json in latin-1", "json with a parameter", "two types", "none"],
)
def test_a_body_not_declared_as_json_is_a_415_naming_the_content_type(api: OrderApi, headers: dict[str, str]) -> None:
    # Given a valid order, sent with a Content-Type other than JSON (or none: what was tried is the id)
    # When it is posted
    response = _post(json.dumps(ORDER).encode(), headers=headers)

    # Then it is refused as an unsupported media type, naming the header and what it must be, and nothing is stored
    problems = _problems(response, 415)
    assert "application/json" in problems["Content-Type"]
    assert _stored(api) == {}


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;Charset=UTF-8",
        'application/json; charset="utf-8"',
    ],
)
def test_json_with_or_without_charset_utf_8_is_accepted(api: OrderApi, content_type: str) -> None:
    # Given a valid order declared as JSON, spelled one of the allowed ways / When it is posted / Then it is accepted
    assert _post(ORDER, headers={"content-type": content_type})["statusCode"] == 202


@pytest.mark.parametrize("headers", [{"content-type": "image/png"}, {}], ids=["png", "no content type"])
def test_a_body_that_is_not_utf_8_and_not_declared_as_json_is_a_415_not_a_crash(
    api: OrderApi, headers: dict[str, str]
) -> None:
    # Given bytes that are not UTF-8, which API Gateway hands over base64-encoded (it used to crash the function)
    # When they are posted
    response = _post(b'{"customerId": "\xff\xfe"}', headers=headers)

    # Then they are refused for what they are declared as, and nothing is stored
    _problems(response, 415)
    assert _stored(api) == {}


def test_a_json_body_that_is_not_utf_8_is_a_400_naming_the_body(api: OrderApi) -> None:
    # Given a body declared as JSON that arrives base64-encoded and is not UTF-8
    # When it is posted
    response = _post(b'{"customerId": "\xff\xfe", "orderType": "collection"}')

    # Then the body is refused as not UTF-8, and nothing is stored
    assert _problems(response) == {"body": "is not valid UTF-8"}
    assert _stored(api) == {}


def test_a_json_body_that_arrives_base64_encoded_is_read(api: OrderApi) -> None:
    # Given a valid order declared as JSON but base64-encoded by the front end / When it is posted / Then it is accepted
    assert _post(json.dumps(ORDER).encode())["statusCode"] == 202


# 7: duplicate keys.


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ('{"customerId": "c-1", "customerId": "c-2", "orderType": "collection", "items": []}', "customerId"),
        (
            '{"customerId": "c-1", "orderType": "collection", "items": [{"pizza": "Margherita", "quantity": 1},'
            ' {"pizza": "Margherita", "pizza": "Diavola", "quantity": 1}]}',
            "items.1.pizza",
        ),
        (
            '{"customerId": "c-1", "orderType": "delivery", "deliveryAddress": {"city": "Naples", "city": "Rome"}}',
            "deliveryAddress.city",
        ),
        ('{"customerId": "c-1", "<script>": 1, "<script>": 2}', "(key)"),
    ],
    ids=["top-level key", "key of an item", "key of the address", "a key that is not a name"],
)
def test_a_key_given_twice_in_one_object_is_a_400_naming_its_path(api: OrderApi, body: str, path: str) -> None:
    # Given a body with one key twice in the same object (which value counts differs between parsers)
    # When it is posted
    response = _post(body)

    # Then that key is refused by its path (a key that is not a plain name is not echoed), saying why,
    # and nothing is stored
    assert _problems(response) == {path: "this key appears more than once in its object"}
    assert "<script>" not in response["body"]
    assert _stored(api) == {}


def test_the_same_key_in_different_objects_is_not_a_duplicate(api: OrderApi) -> None:
    # Given two items, each with its own pizza and quantity / When posted / Then it is an order
    body = {**ORDER, "items": [{"pizza": "Margherita", "quantity": 1}, {"pizza": "Diavola", "quantity": 2}]}
    assert _post(body)["statusCode"] == 202


# 4: free text.

BAD_TEXT = {
    "a control character": "Marg\x07herita",
    "an ANSI escape": "\x1b[31mMargherita\x1b[0m",
    "a lone zero-width space": "\u200b",
    "a right-to-left override": "Margh\u202eatire",
    "a byte order mark": "\ufeffMargherita",
    "a line separator": "Marg\u2028herita",
    "a Hangul filler only": "\u3164",
    "a combining mark only": "\u0301",
    "a replacement character": "Marg\ufffdherita",
}


def _with_text(field: str, text: str) -> dict[str, Any]:
    if field == "items.0.pizza":
        return {**DELIVERY, "items": [{"pizza": text, "quantity": 1}]}
    if field.startswith("deliveryAddress."):
        return {**DELIVERY, "deliveryAddress": {**ADDRESS, field.split(".")[1]: text}}
    return {**DELIVERY, field: text}


@pytest.mark.parametrize("kind", list(BAD_TEXT))
@pytest.mark.parametrize(
    "field",
    [
        "customerId",
        "items.0.pizza",
        "deliveryAddress.line1",
        "deliveryAddress.line2",
        "deliveryAddress.city",
        "deliveryAddress.postcode",
    ],
)
def test_free_text_with_invisible_or_control_characters_is_a_400_naming_the_field_not_the_text(
    api: OrderApi, field: str, kind: str
) -> None:
    # Given a delivery order one of whose free-text fields holds the kind of character named in the test id
    text = BAD_TEXT[kind]

    # When it is posted
    response = _post(_with_text(field, text))

    # Then that field, and only it, is refused with a rule, the text is not shown back, and nothing is stored
    problems = _problems(response)
    assert list(problems) == [field]
    assert problems[field]
    assert text.strip() not in json.loads(response["body"])["errors"][0]["reason"]
    assert _stored(api) == {}


def test_text_with_inner_spaces_and_accents_is_plain_text(api: OrderApi) -> None:
    # Given an address with spaces, accents and a combining accent on a letter / When posted / Then it is an order
    address = {**ADDRESS, "line1": "1 Via dei Crociferi", "city": "Forli\u0300", "line2": "Scala B, interno 4"}
    assert _post({**DELIVERY, "deliveryAddress": address})["statusCode"] == 202


# 5: the menu.


def test_a_pizza_not_on_the_menu_is_a_400_naming_it_and_the_menu(api: OrderApi) -> None:
    # Given an order of a pizza the menu does not list (it used to be accepted at a "house price")
    # When it is posted
    response = _post({**ORDER, "items": [{"pizza": "Pineapple Surprise", "quantity": 1}]})

    # Then it is refused as not on the menu (naming it is safe: it passed the text rules), and nothing is stored
    reason = _problems(response)["items.0.pizza"]
    assert reason.startswith('"Pineapple Surprise" is not on the menu')
    assert all(pizza in reason for pizza in menu())
    assert _stored(api) == {}


def test_a_pizza_name_in_another_case_is_not_on_the_menu(api: OrderApi) -> None:
    # Given "margherita" (the menu says "Margherita") / When posted / Then it is refused: names are exact
    assert "items.0.pizza" in _problems(_post({**ORDER, "items": [{"pizza": "margherita", "quantity": 1}]}))


@pytest.mark.parametrize("pizza", menu())
def test_every_menu_pizza_can_be_ordered_at_its_menu_price(api: OrderApi, pizza: str) -> None:
    # Given an order of two of one menu pizza (the kitchen's demo fault, Doomed Calzone, included)
    # When it is posted / Then it is accepted and costs twice the menu price
    assert _post({**ORDER, "items": [{"pizza": pizza, "quantity": 2}]})["statusCode"] == 202
    assert _stored(api)["order-1"].total == price_of(pizza).times(2)


# 8: the due time.


@pytest.mark.parametrize(
    "due",
    [
        1741957200,
        "1741957200",
        1741957200000.5,
        "2025-03-14T13:00:00",
        "2025-03-14T13:00Z",
        "2025-03-14T13:00:00+0100",
        "2025-03-14 13:00:00Z",
        "2025-03-14",
        "in an hour",
    ],
    ids=[
        "Unix seconds",
        "Unix seconds as text",
        "float milliseconds",
        "no offset",
        "no seconds",
        "offset without a colon",
        "a space for T",
        "a date alone",
        "words",
    ],
)
def test_a_due_time_that_is_not_rfc_3339_with_an_offset_is_a_400(api: OrderApi, due: object) -> None:
    # Given a delivery order whose deliveryDueAt is written as in the test id (each would mean 13:00 UTC, an hour ahead)
    # When it is posted
    response = _post({**DELIVERY, "deliveryDueAt": due})

    # Then deliveryDueAt is refused, saying what it must be, and nothing is stored
    assert "RFC 3339" in _problems(response)["deliveryDueAt"]
    assert _stored(api) == {}


@pytest.mark.parametrize(
    ("due", "rule"),
    [
        ("2025-03-14T11:59:59Z", "in the future"),
        ("2025-03-14T12:00:00Z", "in the future"),
        ("2025-03-16T12:00:01Z", "within the next 2 days"),
        ("2099-01-01T12:00:00+01:00", "within the next 2 days"),
    ],
    ids=["a second ago", "now", "two days and a second ahead", "in 2099"],
)
def test_a_due_time_in_the_past_or_too_far_ahead_breaks_the_orders_rule(api: OrderApi, due: str, rule: str) -> None:
    # Given a delivery order, placed at noon, due at the RFC 3339 time in the test id
    # When it is posted
    response = _post({**DELIVERY, "deliveryDueAt": due})

    # Then it is refused by the order's own rule, and nothing is stored
    assert rule in _problems(response)["body"]
    assert _stored(api) == {}


def test_a_due_time_sooner_than_the_kitchens_lead_time_is_still_accepted(api: OrderApi) -> None:
    # Given a delivery order due three seconds after it is placed (the kitchen's alert will then fire at once)
    # When it is posted / Then it is accepted: the order's rule only asks for a time in the future
    assert _post({**DELIVERY, "deliveryDueAt": "2025-03-14T12:00:03Z"})["statusCode"] == 202


# 2 and 3: the order id in the path, and error bodies that echo nothing.


@pytest.mark.parametrize(
    "order_id",
    ["a" * 257, "\u00e9" * 1500, "\u3164", "   "],
    ids=["257 characters", "3,000 bytes of accents", "a Hangul filler only", "spaces only"],
)
def test_an_order_id_no_key_can_hold_is_a_400_and_is_never_looked_up(api: OrderApi, order_id: str) -> None:
    # Given an order id too long to be a DynamoDB key (it used to crash the function), or with nothing visible
    # When its status is asked for
    response = _request("GET", f"/orders/{order_id}", headers={})

    # Then the id is refused by its name and a rule, is not shown back, and the store was never asked
    assert list(_problems(response)) == ["orderId"]
    assert order_id not in response["body"]
    assert isinstance(api.orders, _WatchedOrders) and api.orders.looked_up == []


@pytest.mark.parametrize(
    "order_id", ["order\x1b[31m-1", "order\u202e1-"], ids=["an ANSI escape", "a right-to-left override"]
)
def test_an_order_id_with_control_or_format_characters_matches_no_route_and_is_never_looked_up(
    api: OrderApi, order_id: str
) -> None:
    # Given an order id with characters the router's path pattern does not take (API Gateway decodes %1B and the like)
    # When its status is asked for
    response = _request("GET", f"/orders/{order_id}", headers={})

    # Then it is the 404 for a path that is not a route, without the id, and the store was never asked
    assert "no such route" in _refusal(response, 404)["message"]
    assert order_id not in response["body"]
    assert isinstance(api.orders, _WatchedOrders) and api.orders.looked_up == []


def test_an_unknown_order_of_the_longest_id_is_a_404_that_does_not_repeat_it(api: OrderApi) -> None:
    # Given an id of 256 characters, the longest an identifier may be, for which there is no order
    order_id = "a" * 256

    # When its status is asked for
    response = _request("GET", f"/orders/{order_id}", headers={})

    # Then it is looked up and not found, and the answer names the rule, not the id
    assert _refusal(response, 404) == {"message": "no order has this orderId"}
    assert isinstance(api.orders, _WatchedOrders) and api.orders.looked_up == [order_id]


def test_a_reused_idempotency_key_is_a_422_that_does_not_repeat_the_key(api: OrderApi) -> None:
    # Given an order placed with a key that looks like markup
    key = "<script>alert(1)</script>"
    _post(ORDER, headers={**JSON, "idempotency-key": key})

    # When another order comes with that key
    response = _post(
        {**ORDER, "items": [{"pizza": "Diavola", "quantity": 3}]}, headers={**JSON, "idempotency-key": key}
    )

    # Then it is a 422 naming the header, without the key
    assert "Idempotency-Key" in _refusal(response, 422)["message"]
    assert "script" not in response["body"]


def test_a_key_still_in_progress_is_a_409_that_does_not_repeat_the_key() -> None:
    # Given a key whose first request is still being processed
    _wired[:] = [_wire(_AlwaysInProgress(InMemoryIdempotencyStore(), key_prefix="POST /orders", ttl_seconds=60))]

    # When a request comes with that key
    response = _post(ORDER, headers={**JSON, "idempotency-key": "<b>k-1</b>"})

    # Then it is a 409 naming the header, without the key
    assert "Idempotency-Key" in _refusal(response, 409)["message"]
    assert "k-1" not in response["body"]


@pytest.mark.parametrize(
    "key", ["k-\x1b[31m1", "k-\u200b", "\u200b"], ids=["an ANSI escape", "a zero-width space", "nothing visible"]
)
def test_an_idempotency_key_with_invisible_or_control_characters_is_a_400_naming_the_header(
    api: OrderApi, key: str
) -> None:
    # Given an order sent with a key holding the characters in the test id / When it is posted
    response = _post(ORDER, headers={**JSON, "idempotency-key": key})

    # Then the header is refused with a rule, and nothing is stored
    assert list(_problems(response)) == ["Idempotency-Key"]
    assert _stored(api) == {}


@pytest.mark.parametrize(
    ("body", "echo"),
    [
        ({**ORDER, "<script>alert(1)</script>": 1}, "<script>"),
        ({**ORDER, "x" * 2000: 1}, "x" * 100),
        ({**ORDER, "customerId": "<script>alert(1)</script>"}, "<script>"),
        ({**ORDER, "orderType": "<img src=x onerror=alert(1)>"}, "<img"),
        ({**ORDER, "salesChannel": "\x1b[31mweb"}, "\x1b"),
        ({**ORDER, "items": [{"pizza": "Margherita", "quantity": "<b>2</b>"}]}, "<b>"),
        ({**DELIVERY, "deliveryDueAt": "<script>2025</script>"}, "<script>"),
        ({**DELIVERY, "deliveryAddress": {**ADDRESS, "postcode": "<script>alert(1)</script>"}}, "<script>"),
    ],
    ids=[
        "an unexpected key that is markup",
        "an unexpected key of 2,000 characters",
        "markup as the customer",
        "markup as the order type",
        "an escape code as the sales channel",
        "markup as a quantity",
        "markup as the due time",
        "markup as an overlong postcode",
    ],
)
def test_a_validation_error_never_echoes_the_input(api: OrderApi, body: dict[str, Any], echo: str) -> None:
    # Given an order with one bad value or key, as in the test id / When it is posted
    response = _post(body)

    # Then it is a 400 naming a field and a rule, with none of the input in it, and nothing is stored
    assert all(_problems(response).values())
    assert echo not in response["body"]
    assert echo not in json.loads(response["body"])["errors"][0]["reason"]
    assert _stored(api) == {}


# 9: paths that are not routes.


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/orders/"), ("GET", "/orders/order-1/"), ("POST", "/pizzas"), ("DELETE", "/orders/order-1")],
    ids=["POST with a trailing slash", "GET with a trailing slash", "another path", "another method"],
)
def test_a_request_to_anything_but_the_apis_exact_routes_is_a_404_and_places_nothing(
    api: OrderApi, method: str, path: str
) -> None:
    # Given a valid order / When it is sent to a path or method that is not one of the API's routes
    response = _request(method, path, json.dumps(ORDER))

    # Then it is a 404 saying which routes there are (paths are exact), and nothing is stored
    assert "no such route" in _refusal(response, 404)["message"]
    assert _stored(api) == {}


def test_behind_the_edge_the_domain_still_refuses_a_pizza_not_on_the_menu(
    api: OrderApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a request model that, by mistake, lets any pizza through
    monkeypatch.setattr("order_service.api_models.is_on_the_menu", lambda pizza: True)

    # When an order of a pizza not on the menu is posted
    response = _post({**ORDER, "items": [{"pizza": "Pineapple Surprise", "quantity": 1}]})

    # Then the order cannot be priced, so it is a 400 by the order's rule (not a crash), and nothing is stored
    assert _problems(response) == {"items": "every pizza must be on the menu"}
    assert _stored(api) == {}


# Catering orders: long item lists with notes, up to a body size the order's item can hold.


def test_a_catering_order_with_notes_is_accepted_and_shows_its_notes(api: OrderApi) -> None:
    # Given 400 lines, each with its notes, and delivery details with a contact phone and notes
    items = [{"pizza": "Margherita", "quantity": 1, "notes": f"Box {i}: no basil"} for i in range(400)]
    address = {**ADDRESS, "contactPhone": "+39 081 555 0100", "notes": "Loading dock B"}
    # When it is posted / Then it is accepted, and stored with every note
    response = _post({**DELIVERY, "items": items, "deliveryAddress": address})
    assert response["statusCode"] == 202, response["body"]
    stored = _stored(api)["order-1"]
    assert stored.items[399].notes == "Box 399: no basil"
    assert stored.delivery_address is not None and stored.delivery_address.notes == "Loading dock B"
    view = json.loads(_request("GET", "/orders/order-1")["body"])
    assert view["items"][0] == {"pizza": "Margherita", "quantity": 1, "notes": "Box 0: no basil"}


def test_an_order_body_over_the_size_limit_is_refused_with_413_and_nothing_stored(api: OrderApi) -> None:
    # Given a valid order whose notes make the body larger than the limit (320,000 bytes)
    items = [{"pizza": "Margherita", "quantity": 1, "notes": "x" * 480} for _ in range(700)]
    body = json.dumps({**ORDER, "items": items})
    assert len(body.encode()) > 320_000
    # When it is posted / Then it is refused as too large, naming the limit, and nothing is stored
    assert _problems(_post(body), 413) == {"body": "the body is larger than 320,000 bytes"}
    assert _stored(api) == {}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"items": [{"pizza": "Margherita", "quantity": 1}] * 1001}, "items"),
        ({"items": [{"pizza": "Margherita", "quantity": 1, "notes": "n" * 501}]}, "items.0.notes"),
        ({"items": [{"pizza": "Margherita", "quantity": 1, "notes": ""}]}, "items.0.notes"),
        (
            {"orderType": "delivery", "deliveryAddress": {**ADDRESS, "contactPhone": "call me"}},
            "deliveryAddress.contactPhone",
        ),
        ({"orderType": "delivery", "deliveryAddress": {**ADDRESS, "notes": "n" * 501}}, "deliveryAddress.notes"),
    ],
    ids=["1,001 lines", "501-character notes", "empty notes", "a phone with letters", "501-character delivery notes"],
)
def test_catering_limits_are_refused_naming_the_field(api: OrderApi, change: dict[str, Any], field: str) -> None:
    # Given an order past one of the limits / When it is posted / Then it is refused naming the field
    assert field in _problems(_post({**ORDER, **change}))
    assert _stored(api) == {}
