"""Small stand-ins for AWS clients, for unit tests that run a wired function end to end.

``FakeDynamoDb`` keeps items per table and key and understands just what the code under test
writes: puts that must not overwrite (``attribute_not_exists``), SET updates whose conditions are
``attribute_exists``/``attribute_not_exists`` clauses joined by AND, gets and deletes. A failed
condition is the same ``ConditionalCheckFailedException`` DynamoDB raises, with the old item.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

_CLAUSE = re.compile(r"attribute_(not_)?exists\((#?\w+)\)")
_ASSIGNMENT = re.compile(r"(#?\w+)\s*=\s*(:\w+)")


class FakeDynamoDb:
    def __init__(self) -> None:
        self.tables: dict[str, dict[tuple[tuple[str, str], ...], dict[str, Any]]] = {}

    def put_item(self, TableName: str, Item: dict[str, Any], **request: Any) -> dict[str, Any]:  # noqa: N803
        key = self._key_of(TableName, Item)
        existing = self.tables.setdefault(TableName, {}).get(key)
        if existing is not None and "attribute_not_exists" in request.get("ConditionExpression", ""):
            raise _condition_failed(existing)
        self.tables[TableName][key] = dict(Item)
        return {}

    def get_item(self, TableName: str, Key: dict[str, Any], **_: Any) -> dict[str, Any]:  # noqa: N803
        item = self.tables.get(TableName, {}).get(_key(Key))
        return {"Item": dict(item)} if item is not None else {}

    def delete_item(self, TableName: str, Key: dict[str, Any], **_: Any) -> dict[str, Any]:  # noqa: N803
        self.tables.get(TableName, {}).pop(_key(Key), None)
        return {}

    def update_item(
        self,
        TableName: str,  # noqa: N803
        Key: dict[str, Any],  # noqa: N803
        UpdateExpression: str,  # noqa: N803
        ExpressionAttributeValues: Mapping[str, Any],  # noqa: N803
        ExpressionAttributeNames: Mapping[str, str] | None = None,  # noqa: N803
        ConditionExpression: str = "",  # noqa: N803
        **_: Any,
    ) -> dict[str, Any]:
        names = ExpressionAttributeNames or {}
        table = self.tables.setdefault(TableName, {})
        existing = table.get(_key(Key))
        for negated, name in _CLAUSE.findall(ConditionExpression):
            present = existing is not None and names.get(name, name) in existing
            if present == bool(negated):
                raise _condition_failed(existing)
        item = dict(existing or Key)
        for name, value in _ASSIGNMENT.findall(UpdateExpression.removeprefix("SET ")):
            item[names.get(name, name)] = ExpressionAttributeValues[value]
        table[_key(Key)] = item
        return {}

    def _key_of(self, table: str, item: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
        # The key attribute is the first one the item names (every table here has a hash key only).
        name = next(iter(item))
        return _key({name: item[name]})


class RecordingSqs:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_message(self, **request: Any) -> dict[str, Any]:
        self.sent.append(request)
        return {"MessageId": f"sent-{len(self.sent)}"}


class FakeSession:
    """A boto3 session whose clients are the given fakes."""

    def __init__(self, **clients: Any) -> None:
        self._clients = clients

    def client(self, service_name: str, config: Any = None, endpoint_url: str | None = None) -> Any:
        return self._clients[service_name]


def _key(key: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((name, str(value)) for name, value in key.items()))


def _condition_failed(existing: dict[str, Any] | None) -> ClientError:
    response: dict[str, Any] = {"Error": {"Code": "ConditionalCheckFailedException", "Message": "condition failed"}}
    if existing is not None:
        response["Item"] = existing
    return ClientError(response, "ConditionalWrite")  # type: ignore[arg-type]
