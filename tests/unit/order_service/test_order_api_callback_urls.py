"""POST /orders with a callbackUrl: a URL the policy refuses is a 400 naming the field, and nothing is
stored; an accepted one is kept with the order, and the answer hands out the order's webhook secret.
Every accepted order's answer lets the client watch its customer's orders with a signed token."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from order_api_support import WATCH_TOKENS_KEY, WEBHOOK_SECRETS_KEY, api_request, wired_order_api

from integration_patterns.callback_urls import CallbackUrlPolicy
from integration_patterns.kms_mac import InvalidToken, SignedTokens, derived_secret
from integration_patterns.webhooks import secret_text
from order_service.api_wiring import OrderApi
from pizza_contracts import WATCH_TOKEN_PURPOSE, WEBHOOK_SECRET_PURPOSE
from twins.orders import InMemoryOrderRepository

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
ORDER: dict[str, Any] = {
    "customerId": "c-1",
    "orderType": "collection",
    "items": [{"pizza": "Margherita", "quantity": 1}],
}
# What the fake DNS knows: one public receiver, one name pointing inside, a local receiver.
DNS: Mapping[str, Sequence[str]] = {
    "hooks.example.com": ["93.184.215.14"],
    "innocent.example": ["10.0.0.5"],
    "localhost": ["127.0.0.1"],
}
# The key the test API's credentials use (order_api_support wires the in-memory key's default).


def _resolve(host: str, _port: int) -> Sequence[str]:
    try:
        return [str(ipaddress.ip_address(host))]  # a literal answers itself, as with getaddrinfo
    except ValueError:
        return DNS.get(host, [])


_wired: list[OrderApi] = []


@pytest.fixture
def api() -> OrderApi:
    policy = CallbackUrlPolicy(["http://localhost:8080"], resolve=_resolve)
    _wired[:] = [wired_order_api(callback_urls=policy, now=lambda: NOW)]
    return _wired[0]


def _post(body: dict[str, Any], key: str | None = None) -> tuple[int, dict[str, Any]]:
    headers = {"content-type": "application/json"}
    if key is not None:
        headers["idempotency-key"] = key
    response = api_request(_wired[0], "POST", "/orders", json.dumps(body), headers, route_key="POST /orders")
    return response["statusCode"], json.loads(response["body"])


def _stored(api: OrderApi) -> InMemoryOrderRepository:
    assert isinstance(api.orders, InMemoryOrderRepository)
    return api.orders


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("http://hooks.example.com/pizza", "https"),
        ("https://innocent.example/pizza", "not a public address"),
        ("https://169.254.169.254/latest/meta-data/", "not a public address"),
        ("https://nowhere.example/pizza", "does not resolve"),
        ("https://me:pw@hooks.example.com/pizza", "user name or password"),
        ("http://localhost:9000/pizza", "https"),
    ],
)
def test_a_callback_url_the_policy_refuses_is_a_400_naming_the_field_and_nothing_is_stored(
    api: OrderApi, url: str, rule: str
) -> None:
    # Given an order asking for webhooks at a URL the policy refuses
    # When it is posted
    status, body = _post({**ORDER, "callbackUrl": url})

    # Then it is refused, the problem naming callbackUrl and the rule, and no order exists
    assert status == 400
    [problem] = body["errors"]
    assert problem["field"] == "callbackUrl" and rule in problem["reason"]
    assert _stored(api).orders == {} and _stored(api).outbox == []


def test_a_refused_callback_url_with_an_idempotency_key_is_not_remembered_so_a_corrected_retry_succeeds(
    api: OrderApi,
) -> None:
    # Given an order with a refused callbackUrl, posted with an Idempotency-Key
    refused, _ = _post({**ORDER, "callbackUrl": "https://innocent.example/pizza"}, key="k-1")

    # When the client corrects the URL and retries with the same key
    status, body = _post({**ORDER, "callbackUrl": "https://hooks.example.com/pizza"}, key="k-1")

    # Then the first was a 400, and the retry places the order
    assert refused == 400
    assert status == 202 and body["orderId"] == "order-for-k-1"


def test_an_accepted_callback_url_is_kept_with_the_order_and_the_answer_carries_the_orders_webhook_secret(
    api: OrderApi,
) -> None:
    # Given an order asking for webhooks at a public https URL
    # When it is posted
    status, body = _post({**ORDER, "callbackUrl": "https://hooks.example.com/pizza"})

    # Then it is accepted, the URL kept, and the secret is whsec_ text of the one derived for this order
    assert status == 202
    assert _stored(api).orders["order-1"].callback_url == "https://hooks.example.com/pizza"
    assert body["webhookSecret"].startswith("whsec_")
    assert body["webhookSecret"] == secret_text(derived_secret(WEBHOOK_SECRETS_KEY, WEBHOOK_SECRET_PURPOSE, "order-1"))


def test_the_webhook_secret_is_not_the_secret_of_another_order_or_purpose(api: OrderApi) -> None:
    # Given an order placed with a callbackUrl
    _, body = _post({**ORDER, "callbackUrl": "https://hooks.example.com/pizza"})

    # When its secret is compared with others the key derives
    # Then it is neither another order's nor the same order's under the watch tokens' purpose
    assert body["webhookSecret"] != secret_text(derived_secret(WEBHOOK_SECRETS_KEY, WEBHOOK_SECRET_PURPOSE, "order-2"))
    assert body["webhookSecret"] != secret_text(derived_secret(WATCH_TOKENS_KEY, WATCH_TOKEN_PURPOSE, "order-1"))


def test_an_allowed_local_origin_may_be_a_callback_url(api: OrderApi) -> None:
    # Given the API allows a developer's receiver at http://localhost:8080
    # When an order names it, Then it is accepted with a webhook secret
    status, body = _post({**ORDER, "callbackUrl": "http://localhost:8080/hooks"})
    assert status == 202 and "webhookSecret" in body


def test_an_order_without_a_callback_url_gets_no_webhook_secret(api: OrderApi) -> None:
    # Given an order without a callbackUrl, When it is posted
    status, body = _post(ORDER)

    # Then it is accepted without a webhook secret, and nothing to call is stored
    assert status == 202 and "webhookSecret" not in body
    assert _stored(api).orders["order-1"].callback_url is None


def test_the_answer_carries_a_watch_url_whose_token_lets_its_holder_watch_that_customer_only(api: OrderApi) -> None:
    # Given an order of customer c-1, When it is posted
    _, body = _post(ORDER)

    # Then the watch URL is the WebSocket API's, naming c-1 and carrying the token also handed out
    watch = urlsplit(body["watchUrl"])
    assert f"{watch.scheme}://{watch.netloc}{watch.path}" == "wss://updates.test/live"
    query = parse_qs(watch.query)
    assert query["customerId"] == ["c-1"]
    assert query["token"] == [body["watchToken"]]

    # And the token verifies for c-1 until it expires, and for no other customer
    tokens = SignedTokens(WATCH_TOKENS_KEY, WATCH_TOKEN_PURPOSE)
    tokens.verify(body["watchToken"], "c-1", NOW)
    with pytest.raises(InvalidToken):
        tokens.verify(body["watchToken"], "c-2", NOW)
    assert body["watchExpiresAt"] == (NOW + timedelta(hours=1)).isoformat(timespec="seconds")
    with pytest.raises(InvalidToken, match="expired"):
        tokens.verify(body["watchToken"], "c-1", NOW + timedelta(hours=1))


def test_the_watch_token_is_no_webhook_secret_and_no_other_purposes_token(api: OrderApi) -> None:
    # Given the watch token of an accepted order
    _, body = _post(ORDER)

    # When it is checked as a token of another purpose made by the same key, Then it is refused
    with pytest.raises(InvalidToken, match="signature"):
        SignedTokens(WEBHOOK_SECRETS_KEY, WEBHOOK_SECRET_PURPOSE).verify(body["watchToken"], "c-1", NOW)


def test_a_replayed_order_gets_the_same_webhook_secret(api: OrderApi) -> None:
    # Given an order with a callbackUrl placed with an Idempotency-Key
    order = {**ORDER, "callbackUrl": "https://hooks.example.com/pizza"}
    _, first = _post(order, key="k-1")

    # When it is posted again with the same key
    _, again = _post(order, key="k-1")

    # Then the secret (derived from the order id, never stored) is the same both times
    assert first["webhookSecret"] == again["webhookSecret"]
    assert first["webhookSecret"] == secret_text(
        derived_secret(WEBHOOK_SECRETS_KEY, WEBHOOK_SECRET_PURPOSE, "order-for-k-1")
    )
