"""Idempotent writes: create an item only once per key, however often the message arrives."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError


def put_if_absent(dynamodb_client: Any, table_name: str, item: dict[str, Any], key_attribute: str) -> bool:
    """Store ``item`` unless an item with the same key exists. True when this call created it.

    A conditional write is the idempotency key check and the insert in one atomic step, so two
    concurrent deliveries of the same message cannot both create the item.
    """
    try:
        dynamodb_client.put_item(
            TableName=table_name,
            Item=item,
            ConditionExpression="attribute_not_exists(#key)",
            ExpressionAttributeNames={"#key": key_attribute},
        )
    except ClientError as error:
        if is_conditional_check_failure(error):
            return False
        raise
    return True


def is_conditional_check_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
