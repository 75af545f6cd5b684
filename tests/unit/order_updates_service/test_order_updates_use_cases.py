"""What the order updates service does: a webhook carries the status change in the Standard Webhooks
payload, signed with its order's secret; a WebSocket connects only with a watch token for the
customer it names; a status change reaches that customer's connections and no one else's."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fake_websocket_aws import TABLE, FakeConnectionsTable, FakeManagementApi
from standardwebhooks import Webhook

from integration_patterns.callback_urls import CallbackUrlPolicy
from integration_patterns.kms_mac import SignedTokens
from integration_patterns.webhooks import WebhookMessage, WebhookSender
from integration_patterns.websocket_push import ConnectionPusher, ConnectionRegistry, PushReport
from order_updates_service.domain import StatusUpdate, WebhookCall
from order_updates_service.use_cases import Refused, connect, disconnect, push_update, send_webhook
from order_updates_service.wiring import BY_CUSTOMER_INDEX, CUSTOMER_ID
from pizza_contracts import WATCH_TOKEN_PURPOSE
from twins.mac_key import InMemoryMacKey

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
UPDATE = StatusUpdate("order-1", "c-1", 2, "PAID", "2025-03-14T12:00:02+00:00")
CALL = WebhookCall("evt-42", UPDATE, "https://hooks.example.com/pizza")


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[WebhookMessage] = []

    def send(self, message: WebhookMessage) -> int:
        self.sent.append(message)
        return 202


def _secret_of(order_id: str) -> bytes:
    return f"secret of {order_id}".encode().ljust(32, b".")


def test_a_webhook_body_is_the_standard_payload_with_the_update_as_its_data() -> None:
    # Given a call announcing that order-1 is PAID
    sender = RecordingSender()

    # When the webhook is sent
    status = send_webhook(CALL, sender, _secret_of)

    # Then one message went to the callback URL under the event's id, with the type, time and data
    assert status == 202
    [message] = sender.sent
    assert (message.message_id, message.url) == ("evt-42", "https://hooks.example.com/pizza")
    assert json.loads(message.body) == {
        "type": "order.status_changed",
        "timestamp": "2025-03-14T12:00:02+00:00",
        "data": {
            "type": "order.status",
            "orderId": "order-1",
            "status": "PAID",
            "at": "2025-03-14T12:00:02+00:00",
            "reason": None,
            "sequence": 2,
            "final": False,
        },
    }


def test_a_webhook_is_signed_with_its_own_orders_secret() -> None:
    # Given secrets that differ per order
    sender = RecordingSender()

    # When webhooks of two orders are sent
    send_webhook(CALL, sender, _secret_of)
    other = WebhookCall("evt-43", StatusUpdate("order-2", "c-1", 0, "ACCEPTED", "t"), CALL.callback_url)
    send_webhook(other, sender, _secret_of)

    # Then each carries the secret of its order
    assert [message.secret for message in sender.sent] == [_secret_of("order-1"), _secret_of("order-2")]


def test_a_sent_webhook_verifies_with_the_orders_secret_at_the_receiver() -> None:
    # Given a real sender whose HTTP client hands requests to an in-memory receiver
    received: list[httpx.Request] = []
    http = httpx.Client(transport=httpx.MockTransport(lambda request: received.append(request) or httpx.Response(200)))
    policy = CallbackUrlPolicy(resolve=lambda _host, _port: ["93.184.215.14"])
    sender = WebhookSender(http, policy, lambda: datetime.now(UTC))

    # When the webhook is sent
    send_webhook(CALL, sender, _secret_of)

    # Then the receiver verifies it with order-1's secret and reads the update as its data
    [request] = received
    payload = Webhook(_secret_of("order-1")).verify(request.content, dict(request.headers))
    assert payload["data"]["status"] == "PAID"
    assert request.headers["webhook-id"] == "evt-42"


def _watching() -> tuple[SignedTokens, ConnectionRegistry, FakeConnectionsTable]:
    table = FakeConnectionsTable()
    registry = ConnectionRegistry(
        table, TABLE, group_attribute=CUSTOMER_ID, group_index=BY_CUSTOMER_INDEX, clock=NOW.timestamp
    )
    return SignedTokens(InMemoryMacKey(), WATCH_TOKEN_PURPOSE), registry, table


@pytest.mark.parametrize(("customer_id", "token"), [(None, "t"), ("c-1", None), ("", "t"), ("c-1", "")])
def test_a_connection_without_a_customer_or_a_token_is_refused_as_unauthenticated(
    customer_id: str | None, token: str | None
) -> None:
    # Given a connection that names no customer or brings no token
    tokens, registry, table = _watching()

    # When it connects
    refused = connect("conn-1", customer_id, token, tokens, registry, NOW)

    # Then it is refused with 401, saying what to send, and nothing is registered
    assert refused is not None and refused.status == 401
    assert "customerId" in refused.reason and "token" in refused.reason
    assert table.items == {}


def test_a_connection_with_a_valid_watch_token_for_its_customer_is_registered() -> None:
    # Given a watch token for c-1, valid for a day
    tokens, registry, _ = _watching()
    token = tokens.issue("c-1", NOW + timedelta(days=1))

    # When a connection for c-1 presents it
    refused = connect("conn-1", "c-1", token, tokens, registry, NOW)

    # Then it is accepted and registered as watching c-1
    assert refused is None
    assert registry.connections_of("c-1") == ["conn-1"]


def test_a_connection_with_another_customers_token_is_refused_as_forbidden() -> None:
    # Given c-2's watch token
    tokens, registry, table = _watching()
    token = tokens.issue("c-2", NOW + timedelta(days=1))

    # When a connection asks to watch c-1 with it
    refused = connect("conn-1", "c-1", token, tokens, registry, NOW)

    # Then it is forbidden, and not registered
    assert refused == Refused(403, "the token is for another subject")
    assert table.items == {}


@pytest.mark.parametrize(
    "bad_token",
    [
        "not-a-token",
        SignedTokens(InMemoryMacKey(), WATCH_TOKEN_PURPOSE).issue("c-1", NOW - timedelta(seconds=1)),
        SignedTokens(InMemoryMacKey(), "order-webhook-secret").issue("c-1", NOW + timedelta(days=1)),
        SignedTokens(InMemoryMacKey(b"not the order updates key, 32 b"), WATCH_TOKEN_PURPOSE).issue(
            "c-1", NOW + timedelta(days=1)
        ),
    ],
    ids=["malformed", "expired", "other-purpose", "other-key"],
)
def test_a_connection_with_a_bad_token_is_refused_as_forbidden(bad_token: str) -> None:
    # Given a token that is malformed, expired, made for another purpose, or by another key
    tokens, registry, table = _watching()

    # When a connection for c-1 presents it
    refused = connect("conn-1", "c-1", bad_token, tokens, registry, NOW)

    # Then it is forbidden, and not registered
    assert refused is not None and refused.status == 403
    assert table.items == {}


def test_a_disconnected_connection_is_forgotten() -> None:
    # Given a registered connection
    tokens, registry, table = _watching()
    connect("conn-1", "c-1", tokens.issue("c-1", NOW + timedelta(days=1)), tokens, registry, NOW)

    # When it disconnects
    disconnect("conn-1", registry)

    # Then it is no longer registered
    assert table.items == {} and registry.connections_of("c-1") == []


def test_a_status_change_is_pushed_to_its_customers_connections_only() -> None:
    # Given two connections watching c-1 and one watching c-2
    _, registry, _ = _watching()
    for connection, customer in [("conn-1", "c-1"), ("conn-2", "c-2"), ("conn-3", "c-1")]:
        registry.add(connection, customer)
    management = FakeManagementApi()

    # When c-1's order moves
    report = push_update(UPDATE, ConnectionPusher(management, registry))

    # Then only c-1's connections get the update's message, as JSON
    assert report == PushReport(delivered=2)
    assert [connection for connection, _ in management.posted] == ["conn-1", "conn-3"]
    assert all(json.loads(data) == UPDATE.message() for _, data in management.posted)


class CountingKey(InMemoryMacKey):
    """The in-memory key, counting how often it is asked to verify (each a KMS call on AWS)."""

    verified = 0

    def verify(self, message: bytes, mac: bytes) -> bool:
        self.verified += 1
        return super().verify(message, mac)


@pytest.mark.parametrize(
    ("customer_id", "token"),
    [
        pytest.param("c" * 5000, "eA.4102444800.AAAA", id="customer-id-too-long-for-kms"),
        pytest.param("c 1", "YyAx.4102444800.AAAA", id="not-a-customer-id"),
        pytest.param("c-1", "Yy0x.4102444800.AAAA", id="mac-too-short"),
    ],
)
def test_a_connection_that_cannot_be_valid_is_refused_without_asking_the_key(customer_id: str, token: str) -> None:
    # Given a key that counts its verifications
    key = CountingKey()
    _, registry, table = _watching()

    # When a connection comes with a customer id the API never issues, or a token with a short MAC
    refused = connect("conn-1", customer_id, token, SignedTokens(key, WATCH_TOKEN_PURPOSE), registry, NOW)

    # Then it is refused as forbidden, the key was never asked (no KMS call), nothing is registered
    assert refused is not None and refused.status == 403
    assert key.verified == 0
    assert table.items == {}
