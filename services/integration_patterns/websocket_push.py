"""Pushing to WebSocket clients through API Gateway: who is connected, and posting to them.

A connection watches one group (a customer, a chat room): :class:`ConnectionRegistry` keeps one
item per connection, with the group and an expiry (TTL) so a connection whose ``$disconnect``
never ran does not linger, and finds a group's connections through an index on the group.
:class:`ConnectionPusher` posts a message to each connection of a group through the API's
management endpoint, and forgets a connection API Gateway says is gone (410), so the next message
does not try it again. Pushing is best effort: a client that missed a message can ask again.

A connection is stored by its ``$connect`` route, which runs before API Gateway has opened it: a
post in that moment is answered 410 too, for a connection about to open. So a connection younger
than a handshake is tried again a few times over a second and never forgotten on a 410.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

CONNECTION_ID = "connectionId"
CONNECTED_AT = "connectedAt"
EXPIRES_AT = "expiresAt"
# API Gateway closes a WebSocket connection after two hours; its item expires a little later.
DEFAULT_CONNECTION_TTL_SECONDS = 7500
# How long after its $connect a connection may still be opening (API Gateway answers 410 meanwhile).
HANDSHAKE_SECONDS = 10.0
# Waits before trying a still-opening connection again: about a second in all.
OPENING_RETRY_DELAYS = (0.05, 0.2, 0.75)


@dataclass(frozen=True)
class Connection:
    connection_id: str
    # Epoch seconds of its $connect; 0 for an item stored before the registry kept it.
    connected_at: float


@dataclass(frozen=True)
class PushReport:
    delivered: int = 0
    # Connections API Gateway no longer has (410 Gone): removed from the registry.
    gone: int = 0
    # Other failures (throttling, a connection closing as we post, one still opening after the
    # retries): not retried further, the connection kept.
    failed: int = 0


class ConnectionRegistry:
    """Connections in a DynamoDB table keyed on ``connectionId``, with an index on the group attribute."""

    def __init__(
        self,
        dynamodb_client: Any,
        table_name: str,
        *,
        group_attribute: str,
        group_index: str,
        ttl_seconds: int = DEFAULT_CONNECTION_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._dynamodb = dynamodb_client
        self._table = table_name
        self._group_attribute = group_attribute
        self._group_index = group_index
        self._ttl_seconds = ttl_seconds
        self._clock = clock

    def add(self, connection_id: str, group: str) -> None:
        now = self._clock()
        self._dynamodb.put_item(
            TableName=self._table,
            Item={
                CONNECTION_ID: {"S": connection_id},
                self._group_attribute: {"S": group},
                CONNECTED_AT: {"N": f"{now:.3f}"},
                EXPIRES_AT: {"N": str(int(now) + self._ttl_seconds)},
            },
        )

    def remove(self, connection_id: str) -> None:
        self._dynamodb.delete_item(TableName=self._table, Key={CONNECTION_ID: {"S": connection_id}})

    def connections_of(self, group: str) -> list[str]:
        return [connection.connection_id for connection in self.members_of(group)]

    def members_of(self, group: str) -> list[Connection]:
        """The group's live connections (an item past its expiry, not yet deleted by TTL, is not one)."""
        now = int(self._clock())
        found: list[Connection] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": self._group_index,
            "KeyConditionExpression": "#group = :group",
            "ExpressionAttributeNames": {"#group": self._group_attribute},
            "ExpressionAttributeValues": {":group": {"S": group}},
        }
        while True:
            page = self._dynamodb.query(**request)
            found.extend(
                Connection(item[CONNECTION_ID]["S"], float(item.get(CONNECTED_AT, {}).get("N", 0)))
                for item in page.get("Items", [])
                if int(item[EXPIRES_AT]["N"]) > now
            )
            if "LastEvaluatedKey" not in page:
                return found
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class ConnectionPusher:
    """Posts to a group's connections; ``management`` is an ``apigatewaymanagementapi`` client
    built on the API stage's management endpoint."""

    def __init__(
        self,
        management: Any,
        registry: ConnectionRegistry,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._management = management
        self._registry = registry
        self._clock = clock
        self._sleep = sleep

    def push(self, group: str, message: bytes) -> PushReport:
        delivered = gone = failed = 0
        for connection in self._registry.members_of(group):
            outcome = self._post(connection, message)
            if outcome == "delivered":
                delivered += 1
            elif outcome == "gone":
                self._registry.remove(connection.connection_id)
                gone += 1
            else:
                failed += 1
        return PushReport(delivered, gone, failed)

    def _post(self, connection: Connection, message: bytes) -> Literal["delivered", "gone", "failed"]:
        opening = self._clock() - connection.connected_at < HANDSHAKE_SECONDS
        for delay in (*OPENING_RETRY_DELAYS, None) if opening else (None,):
            try:
                self._management.post_to_connection(ConnectionId=connection.connection_id, Data=message)
                return "delivered"
            except ClientError as error:
                if error.response["Error"]["Code"] != "GoneException":
                    return "failed"
            except BotoCoreError:
                # A timeout or a dropped connection: counted, not raised, so the batch is not
                # retried and every other connection is not pushed to twice.
                return "failed"
            if delay is not None:
                self._sleep(delay)
        # Still 410: gone for good, unless it may yet be opening (kept; TTL or $disconnect removes it).
        return "failed" if opening else "gone"


@dataclass(frozen=True)
class WebSocketRequest:
    """What a ``$connect`` / ``$disconnect`` (or message) event says, from API Gateway's proxy event."""

    route_key: str
    connection_id: str
    query: Mapping[str, str]

    @classmethod
    def of(cls, event: Mapping[str, Any]) -> WebSocketRequest:
        context = event.get("requestContext") or {}
        return cls(
            route_key=str(context.get("routeKey", "")),
            connection_id=str(context.get("connectionId", "")),
            query=dict(event.get("queryStringParameters") or {}),
        )


def websocket_answer(status: int, reason: str = "") -> dict[str, Any]:
    """A route's answer: on ``$connect``, a 2xx accepts the connection and anything else refuses it."""
    return {"statusCode": status, "body": reason}
