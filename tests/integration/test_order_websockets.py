"""WebSockets on the emulator: a client that connects with its customer id and the watch token from
``POST /orders`` receives every status change of that customer's orders, in order, and nothing of
another customer's; a connection without a valid token is refused; a connection that is gone is
removed when the broadcaster next tries it."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from integration_support import AwsClients, OrdersApi, collection_order, eventually
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

CONNECTIONS_TABLE = "order-update-connections"


def _customer() -> str:
    return f"c-ws-{uuid.uuid4().hex[:8]}"


def _watch_url(orders_api: OrdersApi, customer_id: str) -> str:
    """A watch URL for the customer, as its first order's 202 hands it out (that order is final
    before the socket opens: it is the way to get a token)."""
    response = orders_api.place(collection_order(customer_id))
    assert response.status_code == 202, response.text
    accepted = response.json()
    orders_api.wait_for_status(accepted["orderId"], "ACKNOWLEDGED")
    return str(accepted["watchUrl"])


@contextmanager
def _watching(url: str) -> Iterator[ClientConnection]:
    with connect(url, open_timeout=15) as socket:
        yield socket


def _updates_until_final(socket: ClientConnection, order_id: str, timeout: float = 30) -> list[dict[str, Any]]:
    """Every message received until ``order_id`` is final (other orders' messages included)."""
    received: list[dict[str, Any]] = []
    while not any(m["orderId"] == order_id and m["final"] for m in received):
        received.append(json.loads(socket.recv(timeout=timeout)))
    return received


def test_a_client_receives_every_status_change_of_its_own_orders_in_order_and_none_of_another_customers(
    orders_api: OrdersApi,
) -> None:
    # Given two customers, each watching their orders
    alice, bob = _customer(), _customer()
    with _watching(_watch_url(orders_api, alice)) as alice_socket, _watching(_watch_url(orders_api, bob)) as bob_socket:
        # When both place an order (Bob's first)
        bobs = orders_api.place(collection_order(bob)).json()["orderId"]
        alices = orders_api.place(collection_order(alice)).json()["orderId"]

        # Then each receives each status of their own order, in order, as it happens
        received = _updates_until_final(alice_socket, alices)
        bob_received = _updates_until_final(bob_socket, bobs)
        # And once Bob's order is final (every push about it made), Alice has had nothing of his
        received += _drain(alice_socket)
    assert [m["status"] for m in received if m["orderId"] == alices] == ["ACCEPTED", "ACKNOWLEDGED"]
    assert [m["sequence"] for m in received if m["orderId"] == alices] == [0, 1]
    assert [m["status"] for m in bob_received if m["orderId"] == bobs] == ["ACCEPTED", "ACKNOWLEDGED"]
    assert bobs not in {m["orderId"] for m in received}
    assert alices not in {m["orderId"] for m in bob_received}
    assert {m["type"] for m in received} == {"order.status"}


def _drain(socket: ClientConnection, quiet_seconds: float = 2) -> list[dict[str, Any]]:
    """Whatever else arrives until the socket has been quiet for ``quiet_seconds``."""
    received: list[dict[str, Any]] = []
    while True:
        try:
            received.append(json.loads(socket.recv(timeout=quiet_seconds)))
        except TimeoutError:
            return received


@pytest.mark.parametrize(
    ("tamper", "status"),
    [
        pytest.param(lambda query: {"customerId": query["customerId"]}, 401, id="no-token"),
        pytest.param(lambda query: {"token": query["token"]}, 401, id="no-customer"),
        pytest.param(lambda query: {**query, "token": query["token"][:-2] + "AA"}, 403, id="forged-signature"),
        pytest.param(lambda query: {**query, "customerId": "someone-else"}, 403, id="another-customers-token"),
        pytest.param(lambda query: {**query, "token": "not-a-token"}, 403, id="malformed"),
    ],
)
def test_connecting_without_a_valid_token_for_that_customer_is_refused(
    orders_api: OrdersApi, aws: AwsClients, tamper: Any, status: int
) -> None:
    # Given a valid watch URL, tampered with
    customer_id = _customer()
    url = urlsplit(_watch_url(orders_api, customer_id))
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    tampered = url._replace(query=urlencode(tamper(query))).geturl()

    # When a client connects with it
    with pytest.raises(InvalidStatus) as refused:
        connect(tampered, open_timeout=15)

    # Then the handshake is refused, and no connection is registered for the customer the token is
    # for nor the one the URL names. (The handler answers 401 without credentials and 403 with wrong
    # ones, see the unit tests; MiniStack refuses every failed $connect with 403.)
    assert refused.value.response.status_code in (status, 403)
    assert _connections_of(aws, customer_id) == []
    assert _connections_of(aws, "someone-else") == []


def _connections_of(aws: AwsClients, customer_id: str) -> list[str]:
    items = aws.dynamodb.query(
        TableName=aws.table(CONNECTIONS_TABLE),
        IndexName="by-customer",
        KeyConditionExpression="customerId = :c",
        ExpressionAttributeValues={":c": {"S": customer_id}},
    )["Items"]
    return [item["connectionId"]["S"] for item in items]


def test_a_closed_connection_is_forgotten_and_a_gone_one_is_removed_when_next_pushed_to(
    orders_api: OrdersApi, aws: AwsClients
) -> None:
    # Given a customer who connected and then closed the socket ($disconnect removes it)
    customer_id = _customer()
    with _watching(_watch_url(orders_api, customer_id)):
        eventually(lambda: _connections_of(aws, customer_id) or None, what="the connection registered")
    eventually(lambda: _connections_of(aws, customer_id) == [] or None, what="the connection forgotten")
    # And a connection API Gateway no longer has, made a minute ago, whose $disconnect never ran
    # (a lost network)
    aws.dynamodb.put_item(
        TableName=aws.table(CONNECTIONS_TABLE),
        Item={
            "connectionId": {"S": "gone-" + uuid.uuid4().hex},
            "customerId": {"S": customer_id},
            "connectedAt": {"N": f"{time.time() - 60:.3f}"},
            "expiresAt": {"N": "4102444800"},
        },
    )

    # When one of the customer's orders changes status
    order_id = orders_api.place(collection_order(customer_id)).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")

    # Then the broadcaster got 410 Gone for it and removed it
    eventually(lambda: _connections_of(aws, customer_id) == [] or None, what="the gone connection removed")
