"""Create-once writes: the conditional put is the idempotency check."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from integration_patterns.dynamodb_writes import is_condition_cancellation, put_if_absent, put_if_absent_with


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


class FakeTransactionalTable:
    """Cancels a transaction like DynamoDB: one reason per action, ``ConditionalCheckFailed`` on the marker."""

    def __init__(self, fail_with: str | None = None) -> None:
        self.markers: dict[str, dict[str, Any]] = {}
        self.applied: list[Any] = []
        self.fail_with = fail_with

    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> None:  # noqa: N803 - boto3's spelling
        if self.fail_with:
            raise ClientError({"Error": {"Code": self.fail_with, "Message": "x"}}, "TransactWriteItems")
        put = TransactItems[0]["Put"]
        assert put["ConditionExpression"] == "attribute_not_exists(#key)"
        key = put["Item"][put["ExpressionAttributeNames"]["#key"]]["S"]
        if key in self.markers:
            reasons = [{"Code": "ConditionalCheckFailed"}] + [{"Code": "None"}] * (len(TransactItems) - 1)
            error = {"Error": {"Code": "TransactionCanceledException", "Message": "x"}, "CancellationReasons": reasons}
            raise ClientError(error, "TransactWriteItems")
        self.markers[key] = put["Item"]
        self.applied.extend(TransactItems[1:])


_ADD_ONE = {"Update": {"TableName": "counts", "Key": {"k": {"S": "a"}}, "UpdateExpression": "ADD n :one"}}


def test_a_marked_transaction_applies_its_writes_once_per_key() -> None:
    # Given no marker for o-1
    table = FakeTransactionalTable()

    # When two writes for o-1 come, each with its own counter update
    first = put_if_absent_with(table, "markers", {"orderId": {"S": "o-1"}}, "orderId", also=[_ADD_ONE])
    repeat = put_if_absent_with(table, "markers", {"orderId": {"S": "o-1"}}, "orderId", also=[_ADD_ONE])

    # Then the first applies its update and the repeat reports that it was done already
    assert (first, repeat) == (True, False)
    assert table.applied == [_ADD_ONE]


def test_a_transaction_cancelled_for_another_reason_propagates() -> None:
    # Given a transaction that conflicts with another one in flight
    error = {
        "Error": {"Code": "TransactionCanceledException", "Message": "x"},
        "CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict"}],
    }

    # When it is recognised / Then it is not "already done": the message must be retried
    assert not is_condition_cancellation(ClientError(error, "TransactWriteItems"), action_index=0)
    with pytest.raises(ClientError, match="ThrottlingException"):
        put_if_absent_with(FakeTransactionalTable("ThrottlingException"), "t", {"k": {"S": "o"}}, "k", also=[])


def test_a_transaction_beyond_dynamodbs_limit_is_refused_before_it_is_sent() -> None:
    # Given as many writes as a transaction may hold, plus the marker / When written / Then refused
    with pytest.raises(ValueError, match="at most 100 actions"):
        put_if_absent_with(FakeTransactionalTable(), "t", {"k": {"S": "o"}}, "k", also=[_ADD_ONE] * 100)
