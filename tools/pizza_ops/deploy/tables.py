"""DynamoDB tables: created once, their TTL converged on every deploy."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pizza_ops.system import Table


def ensure_table(dynamodb: Any, physical: str, table: Table) -> str:
    """Create the table if missing, set its TTL as declared, and return its ARN."""
    try:
        description = dynamodb.describe_table(TableName=physical)["Table"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        description = dynamodb.create_table(
            TableName=physical,
            AttributeDefinitions=[{"AttributeName": table.hash_key, "AttributeType": "S"}],
            KeySchema=[{"AttributeName": table.hash_key, "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )["TableDescription"]
        dynamodb.get_waiter("table_exists").wait(TableName=physical, WaiterConfig={"Delay": 1})
    _converge_ttl(dynamodb, physical, table.ttl_attribute)
    return str(description["TableArn"])


def _converge_ttl(dynamodb: Any, physical: str, attribute: str | None) -> None:
    current = dynamodb.describe_time_to_live(TableName=physical)["TimeToLiveDescription"]
    enabled = current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
    if attribute is not None and (not enabled or current.get("AttributeName") != attribute):
        if enabled:  # AWS changes the attribute only by disabling TTL first
            _set_ttl(dynamodb, physical, str(current["AttributeName"]), enabled=False)
        _set_ttl(dynamodb, physical, attribute, enabled=True)
    elif attribute is None and enabled:
        _set_ttl(dynamodb, physical, str(current["AttributeName"]), enabled=False)


def _set_ttl(dynamodb: Any, physical: str, attribute: str, *, enabled: bool) -> None:
    dynamodb.update_time_to_live(
        TableName=physical, TimeToLiveSpecification={"Enabled": enabled, "AttributeName": attribute}
    )
