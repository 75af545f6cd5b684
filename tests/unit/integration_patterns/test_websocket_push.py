"""WebSocket connections kept per group with an expiry, found through the group's index page by
page, and pushed to: a connection API Gateway says is gone is forgotten (unless it may still be
opening: then tried again and kept), any other failure only counted. And what API Gateway's
$connect event says, read once."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import EndpointConnectionError
from fake_websocket_aws import INDEX, TABLE, FakeConnectionsTable, FakeManagementApi

from integration_patterns.websocket_push import (
    ConnectionPusher,
    ConnectionRegistry,
    PushReport,
    WebSocketRequest,
    websocket_answer,
)

NOW = 1_741_953_600


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Sleeps:
    def __init__(self) -> None:
        self.slept: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


def _pusher(management: FakeManagementApi, registry: ConnectionRegistry, now: float = NOW + 60) -> ConnectionPusher:
    """A pusher a minute after the connections were made (none of them still opening)."""
    return ConnectionPusher(management, registry, clock=Clock(now), sleep=Sleeps())


def _registry(table: FakeConnectionsTable, clock: Clock | None = None, ttl_seconds: int = 7500) -> ConnectionRegistry:
    return ConnectionRegistry(
        table, TABLE, group_attribute="customerId", group_index=INDEX, ttl_seconds=ttl_seconds, clock=clock or Clock()
    )


def test_a_connection_is_stored_with_its_group_and_an_expiry_one_ttl_from_now() -> None:
    # Given a registry with a 2-hour TTL, at a fractional moment
    table = FakeConnectionsTable()
    registry = _registry(table, Clock(NOW + 0.7), ttl_seconds=7200)

    # When a connection watching customer c-1 is added
    registry.add("conn-1", "c-1")

    # Then one item holds it, its group, when it connected, and when it expires (whole epoch
    # seconds, for DynamoDB's TTL)
    assert table.items == {
        "conn-1": {
            "connectionId": {"S": "conn-1"},
            "customerId": {"S": "c-1"},
            "connectedAt": {"N": f"{NOW + 0.7:.3f}"},
            "expiresAt": {"N": str(NOW + 7200)},
        }
    }


def test_a_removed_connection_is_no_longer_one_of_its_groups() -> None:
    # Given two connections of c-1
    table = FakeConnectionsTable()
    registry = _registry(table)
    registry.add("conn-1", "c-1")
    registry.add("conn-2", "c-1")

    # When one is removed (and removing it again is harmless)
    registry.remove("conn-1")
    registry.remove("conn-1")

    # Then only the other is left
    assert registry.connections_of("c-1") == ["conn-2"]


def test_a_groups_connections_are_found_through_the_index_and_no_one_elses() -> None:
    # Given connections of two customers
    table = FakeConnectionsTable()
    registry = _registry(table)
    for connection, customer in [("conn-1", "c-1"), ("conn-2", "c-2"), ("conn-3", "c-1")]:
        registry.add(connection, customer)

    # When c-1's connections are asked for
    found = registry.connections_of("c-1")

    # Then they are c-1's only, found by one query on the group index
    assert found == ["conn-1", "conn-3"]
    assert [query["IndexName"] for query in table.queries] == [INDEX]


def test_every_page_of_a_groups_connections_is_read() -> None:
    # Given 7 connections of c-1, and a table answering 3 items per page
    table = FakeConnectionsTable(page_size=3)
    registry = _registry(table)
    for n in range(7):
        registry.add(f"conn-{n}", "c-1")

    # When c-1's connections are asked for
    found = registry.connections_of("c-1")

    # Then all 7 are found, over 3 queries, each after the last page's key
    assert found == [f"conn-{n}" for n in range(7)]
    assert len(table.queries) == 3
    assert "ExclusiveStartKey" not in table.queries[0]
    assert table.queries[1]["ExclusiveStartKey"]["connectionId"] == {"S": "conn-2"}
    assert table.queries[2]["ExclusiveStartKey"]["connectionId"] == {"S": "conn-5"}


def test_a_connection_past_its_expiry_is_not_found_even_before_ttl_deletes_it() -> None:
    # Given a connection added two hours ago with a one-hour TTL, and a fresh one
    table = FakeConnectionsTable()
    clock = Clock(NOW - 7200)
    registry = _registry(table, clock, ttl_seconds=3600)
    registry.add("stale", "c-1")
    clock.now = NOW
    registry.add("fresh", "c-1")

    # When c-1's connections are asked for now
    found = registry.connections_of("c-1")

    # Then the stale one (still in the table) is skipped
    assert found == ["fresh"]
    assert "stale" in table.items


def test_a_connection_is_not_found_at_the_very_second_it_expires() -> None:
    # Given a connection with a 60 s TTL
    table = FakeConnectionsTable()
    clock = Clock(NOW)
    registry = _registry(table, clock, ttl_seconds=60)
    registry.add("conn-1", "c-1")

    # When asked a second before and at its expiry, Then it is live only before
    clock.now = NOW + 59
    assert registry.connections_of("c-1") == ["conn-1"]
    clock.now = NOW + 60
    assert registry.connections_of("c-1") == []


def test_a_push_posts_the_message_to_each_connection_of_the_group_only() -> None:
    # Given two connections of c-1 and one of c-2
    table = FakeConnectionsTable()
    registry = _registry(table)
    for connection, customer in [("conn-1", "c-1"), ("conn-2", "c-1"), ("conn-3", "c-2")]:
        registry.add(connection, customer)
    management = FakeManagementApi()

    # When a message is pushed to c-1
    report = _pusher(management, registry).push("c-1", b'{"status":"PAID"}')

    # Then both of c-1's connections got it, c-2's did not, and the report counts two deliveries
    assert management.posted == [("conn-1", b'{"status":"PAID"}'), ("conn-2", b'{"status":"PAID"}')]
    assert report == PushReport(delivered=2, gone=0, failed=0)


def test_a_gone_connection_is_removed_and_counted_while_the_others_still_get_the_message() -> None:
    # Given three connections of c-1, the middle one gone from API Gateway
    table = FakeConnectionsTable()
    registry = _registry(table)
    for n in (1, 2, 3):
        registry.add(f"conn-{n}", "c-1")
    management = FakeManagementApi(gone=("conn-2",))

    # When a message is pushed to c-1
    report = _pusher(management, registry).push("c-1", b"update")

    # Then the others got it, the gone one is forgotten, and the report says so
    assert [connection for connection, _ in management.posted] == ["conn-1", "conn-3"]
    assert report == PushReport(delivered=2, gone=1, failed=0)
    assert sorted(table.items) == ["conn-1", "conn-3"]


def test_any_other_failure_is_counted_and_the_connection_is_kept() -> None:
    # Given a connection being throttled and one forbidden, next to a healthy one
    table = FakeConnectionsTable()
    registry = _registry(table)
    for n in (1, 2, 3):
        registry.add(f"conn-{n}", "c-1")
    management = FakeManagementApi(failing={"conn-1": "LimitExceededException", "conn-3": "ForbiddenException"})

    # When a message is pushed
    report = _pusher(management, registry).push("c-1", b"update")

    # Then the failures are counted, not retried, and both connections stay registered
    assert report == PushReport(delivered=1, gone=0, failed=2)
    assert sorted(table.items) == ["conn-1", "conn-2", "conn-3"]


def test_a_push_to_a_group_with_no_connections_posts_nothing() -> None:
    # Given no connections at all
    management = FakeManagementApi()

    # When a message is pushed, Then nothing is posted and the report is empty
    assert _pusher(management, _registry(FakeConnectionsTable())).push("c-1", b"x") == PushReport()
    assert management.posted == []


def test_a_connect_event_is_read_as_its_route_connection_and_query() -> None:
    # Given API Gateway's $connect event (as its WebSocket proxy integration sends it)
    event = {
        "headers": {"Host": "abc.execute-api.eu-west-1.amazonaws.com"},
        "queryStringParameters": {"customerId": "c-1", "token": "t.1.m"},
        "requestContext": {
            "routeKey": "$connect",
            "eventType": "CONNECT",
            "connectionId": "L0SM9cOFvHcCIhw=",
            "domainName": "abc.execute-api.eu-west-1.amazonaws.com",
            "stage": "live",
        },
        "isBase64Encoded": False,
    }

    # When it is read
    request = WebSocketRequest.of(event)

    # Then it names the route, the connection, and the query
    assert request == WebSocketRequest("$connect", "L0SM9cOFvHcCIhw=", {"customerId": "c-1", "token": "t.1.m"})


def test_a_disconnect_event_without_a_query_reads_as_an_empty_query() -> None:
    # Given a $disconnect event, which carries no query string (null, as API Gateway sends it)
    event = {
        "queryStringParameters": None,
        "requestContext": {"routeKey": "$disconnect", "eventType": "DISCONNECT", "connectionId": "c0nn="},
    }

    # When it is read, Then its query is empty
    assert WebSocketRequest.of(event) == WebSocketRequest("$disconnect", "c0nn=", {})


def test_an_event_without_a_request_context_reads_as_empty_values_not_an_error() -> None:
    # Given an event with no request context at all, When it is read, Then its fields are empty
    assert WebSocketRequest.of({}) == WebSocketRequest("", "", {})


def test_a_routes_answer_is_a_status_and_a_reason() -> None:
    # Given a refusal and an acceptance, When answered, Then they are API Gateway's proxy responses
    assert websocket_answer(403, "the token has expired") == {"statusCode": 403, "body": "the token has expired"}
    assert websocket_answer(200) == {"statusCode": 200, "body": ""}


def test_a_connection_failure_below_the_api_is_counted_not_raised() -> None:
    # Given two connections, the first of which the management API cannot be reached for
    table = FakeConnectionsTable()
    registry = _registry(table)
    registry.add("c-1", "customer-1")
    registry.add("c-2", "customer-1")

    class Unreachable(FakeManagementApi):
        def post_to_connection(self, ConnectionId: str, Data: bytes) -> dict[str, Any]:  # noqa: N803
            if ConnectionId == "c-1":
                raise EndpointConnectionError(endpoint_url="https://api.example/live")
            return super().post_to_connection(ConnectionId=ConnectionId, Data=Data)

    management = Unreachable()

    # When the group is pushed to
    report = _pusher(management, registry).push("customer-1", b"{}")

    # Then the failure is counted, the other connection still got the message, and both are kept
    assert (report.delivered, report.failed, report.gone) == (1, 1, 0)
    assert management.posted == [("c-2", b"{}")]
    assert sorted(registry.connections_of("customer-1")) == ["c-1", "c-2"]


def test_a_connection_still_opening_is_tried_again_until_api_gateway_has_opened_it() -> None:
    # Given a connection stored by its $connect a second ago, which API Gateway answers 410 twice
    # (the handshake is finishing) before it is open
    table = FakeConnectionsTable()
    registry = _registry(table)
    registry.add("conn-1", "c-1")
    management = FakeManagementApi(gone_for_posts={"conn-1": 2})
    sleeps = Sleeps()

    # When a message is pushed
    report = ConnectionPusher(management, registry, clock=Clock(NOW + 1), sleep=sleeps).push("c-1", b"update")

    # Then the third post delivers it after two short waits, and the connection stays registered
    assert report == PushReport(delivered=1, gone=0, failed=0)
    assert management.posted == [("conn-1", b"update")]
    assert sleeps.slept == [0.05, 0.2]
    assert registry.connections_of("c-1") == ["conn-1"]


def test_a_connection_still_opening_that_stays_gone_is_counted_as_failed_and_kept() -> None:
    # Given a connection stored 5 s ago that API Gateway keeps answering 410 for
    table = FakeConnectionsTable()
    registry = _registry(table)
    registry.add("conn-1", "c-1")
    management = FakeManagementApi(gone=("conn-1",))
    sleeps = Sleeps()

    # When a message is pushed
    report = ConnectionPusher(management, registry, clock=Clock(NOW + 5), sleep=sleeps).push("c-1", b"update")

    # Then it was tried four times over about a second, counted as failed, and not forgotten
    # (its $disconnect or its expiry removes it if it never opens)
    assert report == PushReport(delivered=0, gone=0, failed=1)
    assert sleeps.slept == [0.05, 0.2, 0.75]
    assert registry.connections_of("c-1") == ["conn-1"]


def test_a_connection_stored_without_its_connect_time_is_taken_as_long_open() -> None:
    # Given an item written before the registry kept connect times, gone from API Gateway
    table = FakeConnectionsTable()
    table.put_item(
        TableName=TABLE,
        Item={"connectionId": {"S": "old"}, "customerId": {"S": "c-1"}, "expiresAt": {"N": str(NOW + 3600)}},
    )
    sleeps = Sleeps()

    # When a message is pushed right now
    registry = _registry(table)
    report = ConnectionPusher(FakeManagementApi(gone=("old",)), registry, clock=Clock(NOW), sleep=sleeps).push(
        "c-1", b"x"
    )

    # Then it is forgotten at once, without waiting
    assert report == PushReport(delivered=0, gone=1, failed=0)
    assert sleeps.slept == []
    assert table.items == {}


def test_a_connection_older_than_a_handshake_answered_410_is_forgotten_without_waiting() -> None:
    # Given a connection made exactly a handshake ago (10 s), gone from API Gateway
    table = FakeConnectionsTable()
    registry = _registry(table)
    registry.add("conn-1", "c-1")
    sleeps = Sleeps()

    # When a message is pushed
    pusher = ConnectionPusher(FakeManagementApi(gone=("conn-1",)), registry, clock=Clock(NOW + 10), sleep=sleeps)
    report = pusher.push("c-1", b"x")

    # Then it is forgotten at once: no retries, no waits
    assert report == PushReport(delivered=0, gone=1, failed=0)
    assert sleeps.slept == []
    assert table.items == {}
