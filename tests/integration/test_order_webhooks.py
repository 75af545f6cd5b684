"""Webhooks on the emulator: each status change of an order with a callbackUrl is POSTed to it,
signed the Standard Webhooks way with the secret the order's 202 handed out; a receiver that is
down gets retries with growing delays, then the dispatcher's DLQ with the reason; callback URLs
that point inside our network are refused when the order is placed and when it is sent."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from integration_support import AwsClients, OrdersApi, collection_order, eventually
from standardwebhooks import Webhook, WebhookVerificationError

from embedded_stack_settings import WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RECEIVER_PORT
from pizza_ops.deploy.emulator import free_port
from pizza_ops.webhook_receiver import ReceivedRequest, WebhookReceiver

DISPATCHER_DLQ = "order-webhooks-dlq"


@pytest.fixture(scope="module")
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(WEBHOOK_RECEIVER_PORT) as running:
        yield running


def _place_with_callback(orders_api: OrdersApi, url: str, customer_id: str = "c-webhooks") -> dict[str, Any]:
    response = orders_api.place({**collection_order(customer_id), "callbackUrl": url})
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


def _deliveries(receiver: WebhookReceiver, path: str, count: int, timeout: float = 45) -> list[ReceivedRequest]:
    return eventually(
        lambda: receiver.to(path) if len(receiver.to(path)) >= count else None,
        timeout=timeout,
        what=f"{count} webhooks at {path}",
    )


def _dead_letters_for(aws: AwsClients, order_id: str, count: int) -> list[str]:
    """The reasons of the order's ``count`` dead letters (one per status change), taken off the DLQ;
    the only other messages there are other tests' orders', which they take themselves."""
    found: list[str] = []
    queue_url = aws.queue_url(DISPATCHER_DLQ)

    def probe() -> bool:
        batch = aws.sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        ).get("Messages", [])
        for message in batch:
            if order_id in message["Body"]:
                aws.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
                found.append(message["MessageAttributes"]["dead_letter_reason"]["StringValue"])
            else:  # another test's: visible again at once
                aws.sqs.change_message_visibility(
                    QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
        return len(found) >= count

    eventually(probe, timeout=90, interval=0, what=f"{count} dead letters of order {order_id}")
    return found


class Receiver:
    """What the README shows a receiver doing: verify the signature (which also refuses a request
    older or newer than five minutes), then drop a webhook-id it has seen (a replay within them)."""

    def __init__(self, secret: str) -> None:
        self._webhook = Webhook(secret)
        self._seen: set[str] = set()

    def receive(self, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
        payload: dict[str, Any] = self._webhook.verify(body, headers)
        webhook_id = {k.lower(): v for k, v in headers.items()}["webhook-id"]
        if webhook_id in self._seen:
            raise WebhookVerificationError(f"webhook {webhook_id} was received already")
        self._seen.add(webhook_id)
        return payload


def test_each_status_change_reaches_the_receiver_signed_with_the_orders_secret(
    orders_api: OrdersApi, receiver: WebhookReceiver
) -> None:
    # Given an order placed with a callback URL at the local receiver
    path = f"/ok/{uuid.uuid4()}"
    accepted = _place_with_callback(orders_api, receiver.origin + path)
    assert accepted["webhookSecret"].startswith("whsec_")

    # When it goes through (the choreography: accepted, then acknowledged by the kitchen)
    delivered = _deliveries(receiver, path, 2)

    # Then each status change arrived once and verifies with the order's secret; in order by its
    # sequence (a standard queue may hand the two to two dispatcher invocations at once, so they
    # may arrive either way round: the receiver orders them by sequence, as the README says)
    verifier = Receiver(accepted["webhookSecret"])
    payloads = [verifier.receive(request.body, request.headers) for request in delivered]
    in_order = sorted(payloads, key=lambda p: int(p["data"]["sequence"]))
    assert [(p["data"]["sequence"], p["data"]["status"]) for p in in_order] == [(0, "ACCEPTED"), (1, "ACKNOWLEDGED")]
    assert {p["type"] for p in payloads} == {"order.status_changed"}
    assert {p["data"]["orderId"] for p in payloads} == {accepted["orderId"]}
    # And another order's secret does not verify it
    with pytest.raises(WebhookVerificationError):
        Webhook(_place_with_callback(orders_api, receiver.origin + "/ok/other")["webhookSecret"]).verify(
            delivered[0].body, delivered[0].headers
        )


def test_a_replayed_webhook_is_rejected_by_the_verifier(orders_api: OrdersApi, receiver: WebhookReceiver) -> None:
    # Given a webhook the receiver has accepted
    path = f"/ok/{uuid.uuid4()}"
    accepted = _place_with_callback(orders_api, receiver.origin + path)
    [first, *_] = _deliveries(receiver, path, 1)
    verifier = Receiver(accepted["webhookSecret"])
    verifier.receive(first.body, first.headers)

    # When an attacker replays it as captured, or with a fresh timestamp, or an old capture
    restamped = {**first.headers, "webhook-timestamp": str(int(time.time()) + 1)}
    old = int((datetime.now(UTC) - timedelta(minutes=6)).timestamp())
    signed_long_ago = Webhook(accepted["webhookSecret"]).sign(
        first.headers["webhook-id"], datetime.fromtimestamp(old, UTC), first.body
    )
    captured_long_ago = {**first.headers, "webhook-timestamp": str(old), "webhook-signature": signed_long_ago}

    # Then each is rejected: a seen id, a signature that no longer matches, a timestamp too old
    for headers in (first.headers, restamped, captured_long_ago):
        with pytest.raises(WebhookVerificationError):
            verifier.receive(first.body, headers)


def test_a_receiver_that_is_down_gets_growing_retries_then_the_dlq_with_the_reason_and_the_order_is_unaffected(
    orders_api: OrdersApi, receiver: WebhookReceiver, aws: AwsClients
) -> None:
    # Given an order whose callback URL answers 503 every time
    path = f"/down/{uuid.uuid4()}"
    accepted = _place_with_callback(orders_api, receiver.origin + path)

    # When it goes through
    final = orders_api.wait_for_status(accepted["orderId"], "ACKNOWLEDGED")

    # Then the order finished as usual (the webhook is not in its way)
    assert final["status"] == "ACKNOWLEDGED"
    # And the first status change was tried WEBHOOK_MAX_ATTEMPTS times, with growing delays
    # (2 s, then 4, then 8 at most, each with jitter: between half and all of it)
    attempts = eventually(
        lambda: (
            [r for r in receiver.to(path) if json.loads(r.body)["data"]["sequence"] == 0]
            if len([r for r in receiver.to(path) if json.loads(r.body)["data"]["sequence"] == 0])
            >= WEBHOOK_MAX_ATTEMPTS
            else None
        ),
        timeout=60,
        what="every attempt",
    )
    assert len({a.headers["webhook-id"] for a in attempts}) == 1  # the same message each time
    gaps = [later.received_at - earlier.received_at for earlier, later in itertools.pairwise(attempts)]
    assert gaps[-1] > gaps[0], f"delays did not grow: {gaps}"
    assert gaps[-1] >= 4 - 0.5, f"the last delay is under the backoff's floor: {gaps}"
    # And then it was dead-lettered with the reason, once its attempts were used up
    # (both status changes: accepted and acknowledged)
    for reason in _dead_letters_for(aws, accepted["orderId"], 2):
        assert reason.startswith(f"gave up after {WEBHOOK_MAX_ATTEMPTS} attempts: the receiver answered 503"), reason
    assert len(receiver.to(path)) == 2 * WEBHOOK_MAX_ATTEMPTS  # every status change, every attempt


@pytest.mark.parametrize(
    ("callback_url", "reason"),
    [
        pytest.param("http://127.0.0.1:{other}/hook", "a callback URL must use https", id="loopback-not-allowed"),
        pytest.param("https://127.0.0.1:{other}/hook", "is not a public address (127.0.0.1)", id="loopback-https"),
        pytest.param("https://169.254.169.254/latest/meta-data/", "is not a public address", id="metadata"),
        pytest.param("https://[::1]/hook", "is not a public address (::1)", id="ipv6-loopback"),
        pytest.param("https://localhost/hook", "'localhost' is not a public address", id="name-to-private"),
        pytest.param("https://10.0.0.8/hook", "is not a public address", id="private"),
        pytest.param("https://user:pass@example.com/hook", "user name or password", id="credentials"),
    ],
)
def test_a_callback_url_into_our_network_is_refused_when_the_order_is_placed(
    orders_api: OrdersApi, aws: AwsClients, callback_url: str, reason: str
) -> None:
    # Given an order whose callback URL points at an address the system must never call
    customer_id = f"c-ssrf-{uuid.uuid4().hex[:8]}"
    body = {**collection_order(customer_id), "callbackUrl": callback_url.format(other=free_port())}

    # When it is placed
    response = orders_api.place(body)

    # Then it is a 400 naming the field and the reason, and no order was stored
    assert response.status_code == 400, response.text
    [problem] = response.json()["errors"]
    assert problem["field"] == "callbackUrl"
    assert reason in problem["reason"]
    orders = aws.dynamodb.scan(TableName=aws.table("orders"))["Items"]
    assert not [o for o in orders if o["customerId"]["S"] == customer_id]


def test_a_redirect_is_not_followed_and_the_webhook_is_dead_lettered_at_once(
    orders_api: OrdersApi, receiver: WebhookReceiver, aws: AwsClients
) -> None:
    # Given a receiver that redirects to another address on this machine (not allowed), which
    # records any request that reaches it
    with WebhookReceiver(free_port()) as trap:
        receiver.redirect_to = trap.origin + "/metadata"
        path = f"/redirect/{uuid.uuid4()}"

        # When an order with that callback URL goes through
        accepted = _place_with_callback(orders_api, receiver.origin + path)

        # Then the redirect was refused, not retried: dead-lettered with the reason
        for reason in _dead_letters_for(aws, accepted["orderId"], 2):
            assert "answered 302, a redirect; redirects are not followed" in reason, reason
        assert len(receiver.to(path)) == 2  # one attempt per status change
        # And the address it pointed to was never called
        assert trap.requests == []
