"""Create-once writes: the conditional put is the idempotency check."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from integration_patterns.dynamodb_writes import put_if_absent


class FakeTable:
    """Honours ``attribute_not_exists(#key)`` like DynamoDB does, and can fail with other errors."""

    def __init__(self, fail_with: str | None = None) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.fail_with = fail_with

    def put_item(self, **request: Any) -> None:
        if self.fail_with:
            raise ClientError({"Error": {"Code": self.fail_with, "Message": "x"}}, "PutItem")
        assert request["ConditionExpression"] == "attribute_not_exists(#key)"
        key = request["Item"][request["ExpressionAttributeNames"]["#key"]]["S"]
        if key in self.items:
            raise ClientError({"Error": {"Code": "ConditionalCheckFailedException", "Message": "x"}}, "PutItem")
        self.items[key] = request["Item"]


def test_first_write_creates_and_a_repeat_leaves_the_original() -> None:
    table = FakeTable()
    first = {"orderId": {"S": "o-1"}, "n": {"N": "1"}}
    repeat = {"orderId": {"S": "o-1"}, "n": {"N": "2"}}

    assert put_if_absent(table, "t", first, key_attribute="orderId") is True
    assert put_if_absent(table, "t", repeat, key_attribute="orderId") is False
    assert table.items["o-1"] == first


def test_other_failures_propagate_so_the_message_is_retried() -> None:
    with pytest.raises(ClientError, match="ProvisionedThroughputExceededException"):
        put_if_absent(
            FakeTable(fail_with="ProvisionedThroughputExceededException"), "t", {"orderId": {"S": "o"}}, "orderId"
        )
