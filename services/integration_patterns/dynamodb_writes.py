"""Idempotent writes: create an item only once per key, however often the message arrives.

Two layers of idempotency meet here. The inbox drops a redelivered *event*; these writes make an
*effect* happen once per business key, even when two different events describe the same fact.
``put_if_absent`` creates a record once; ``put_if_absent_with`` creates a marker once and applies
other writes (counters, balances) in the same transaction, so the effect is tied to the marker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import ClientError

# DynamoDB's limit on the actions in one TransactWriteItems call.
MAX_TRANSACTION_ACTIONS = 100


def put_if_absent(dynamodb_client: Any, table_name: str, item: dict[str, Any], key_attribute: str) -> bool:
    """Store ``item`` unless an item with the same key exists. True when this call created it.

    A conditional write is the idempotency key check and the insert in one atomic step, so two
    concurrent deliveries of the same message cannot both create the item.
    """
    try:
        dynamodb_client.put_item(TableName=table_name, Item=item, **_absent(key_attribute))
    except ClientError as error:
        if is_conditional_check_failure(error):
            return False
        raise
    return True


def put_if_absent_with(
    dynamodb_client: Any,
    table_name: str,
    item: dict[str, Any],
    key_attribute: str,
    *,
    also: Sequence[Mapping[str, Any]],
) -> bool:
    """Store the marker ``item`` and apply ``also`` in one transaction, unless the marker exists.

    True when this call did both; False when an item with the marker's key was there already, in
    which case nothing was written. ``also`` holds TransactWriteItems actions (``{"Update": ...}``
    and the like). Any other failure (a conflicting transaction, throttling) propagates, so the
    message is retried.
    """
    if len(also) + 1 > MAX_TRANSACTION_ACTIONS:
        raise ValueError(f"a transaction takes at most {MAX_TRANSACTION_ACTIONS} actions, marker included")
    marker = {"Put": {"TableName": table_name, "Item": item, **_absent(key_attribute)}}
    try:
        dynamodb_client.transact_write_items(TransactItems=[marker, *also])
    except ClientError as error:
        if is_condition_cancellation(error, action_index=0):
            return False
        raise
    return True


def is_conditional_check_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def is_condition_cancellation(error: ClientError, action_index: int) -> bool:
    """The transaction was cancelled because the condition of its action ``action_index`` failed."""
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return False
    reasons = error.response.get("CancellationReasons") or []
    return action_index < len(reasons) and reasons[action_index].get("Code") == "ConditionalCheckFailed"


def _absent(key_attribute: str) -> dict[str, Any]:
    return {
        "ConditionExpression": "attribute_not_exists(#key)",
        "ExpressionAttributeNames": {"#key": key_attribute},
    }
