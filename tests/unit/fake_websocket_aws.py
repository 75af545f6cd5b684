"""Stand-ins for the AWS clients behind WebSocket pushes: the connections table (DynamoDB) and
API Gateway's management API, each understanding just what integration_patterns.websocket_push asks."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

TABLE = "connections"
INDEX = "by-customer"


class FakeConnectionsTable:
    """A DynamoDB client holding one table's items by connectionId; queries on the group index
    return at most ``page_size`` items per page, with LastEvaluatedKey as DynamoDB does."""

    def __init__(self, page_size: int = 100) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.page_size = page_size
        self.queries: list[dict[str, Any]] = []

    def put_item(self, TableName: str, Item: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        assert TableName == TABLE
        self.items[Item["connectionId"]["S"]] = Item
        return {}

    def delete_item(self, TableName: str, Key: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        assert TableName == TABLE
        self.items.pop(Key["connectionId"]["S"], None)
        return {}

    def query(self, **request: Any) -> dict[str, Any]:
        self.queries.append(request)
        assert request["TableName"] == TABLE and request["IndexName"] == INDEX
        assert request["KeyConditionExpression"] == "#group = :group"
        attribute = request["ExpressionAttributeNames"]["#group"]
        group = request["ExpressionAttributeValues"][":group"]
        matching = sorted(
            (item for item in self.items.values() if item.get(attribute) == group),
            key=lambda item: item["connectionId"]["S"],
        )
        start = request.get("ExclusiveStartKey")
        if start is not None:
            matching = [item for item in matching if item["connectionId"]["S"] > start["connectionId"]["S"]]
        page = matching[: self.page_size]
        response: dict[str, Any] = {"Items": page, "Count": len(page)}
        if len(matching) > self.page_size:
            response["LastEvaluatedKey"] = {"connectionId": page[-1]["connectionId"], attribute: group}
        return response


class FakeManagementApi:
    """API Gateway's management API: posts recorded; some connections gone, some failing otherwise."""

    def __init__(
        self,
        gone: tuple[str, ...] = (),
        failing: dict[str, str] | None = None,
        gone_for_posts: dict[str, int] | None = None,
    ) -> None:
        self.gone = set(gone)
        self.failing = failing or {}
        # Connections still opening: answered 410 for this many posts, then open.
        self.opening = dict(gone_for_posts or {})
        self.posted: list[tuple[str, bytes]] = []

    def post_to_connection(self, ConnectionId: str, Data: bytes) -> dict[str, Any]:  # noqa: N803
        if self.opening.get(ConnectionId, 0) > 0:
            self.opening[ConnectionId] -= 1
            raise ClientError({"Error": {"Code": "GoneException", "Message": "gone"}}, "PostToConnection")
        if ConnectionId in self.gone:
            raise ClientError({"Error": {"Code": "GoneException", "Message": "gone"}}, "PostToConnection")
        if ConnectionId in self.failing:
            code = self.failing[ConnectionId]
            raise ClientError({"Error": {"Code": code, "Message": "no"}}, "PostToConnection")
        self.posted.append((ConnectionId, Data))
        return {}
