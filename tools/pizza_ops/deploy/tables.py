"""DynamoDB tables: created once, their stream and TTL converged on every deploy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from pizza_ops.system import Table


@dataclass(frozen=True)
class DeployedTable:
    arn: str
    # The current stream's ARN; None when the table has no stream.
    stream_arn: str | None = None


def ensure_table(dynamodb: Any, physical: str, table: Table) -> DeployedTable:
    """Create the table if missing, converge its stream and TTL to the declaration, and describe it."""
    try:
        description = dynamodb.describe_table(TableName=physical)["Table"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        stream = {"StreamSpecification": _stream_on(table.stream_view_type)} if table.stream_view_type else {}
        description = dynamodb.create_table(
            TableName=physical,
            AttributeDefinitions=[{"AttributeName": table.hash_key, "AttributeType": "S"}],
            KeySchema=[{"AttributeName": table.hash_key, "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            **stream,
        )["TableDescription"]
        _wait_active(dynamodb, physical)
    if _stream_view_type(description) != table.stream_view_type:
        description = _converge_stream(dynamodb, physical, description, table.stream_view_type)
    _converge_ttl(dynamodb, physical, table.ttl_attribute)
    stream_arn = description.get("LatestStreamArn") if _stream_view_type(description) else None
    return DeployedTable(arn=str(description["TableArn"]), stream_arn=str(stream_arn) if stream_arn else None)


def _stream_view_type(description: dict[str, Any]) -> str | None:
    spec = description.get("StreamSpecification") or {}
    return str(spec["StreamViewType"]) if spec.get("StreamEnabled") and spec.get("StreamViewType") else None


def _stream_on(view_type: str) -> dict[str, Any]:
    return {"StreamEnabled": True, "StreamViewType": view_type}


def _converge_stream(
    dynamodb: Any, physical: str, description: dict[str, Any], view_type: str | None
) -> dict[str, Any]:
    """Switch the stream to ``view_type`` (None: off), and return the table's new description.

    DynamoDB changes a stream's view type only by disabling the stream and enabling a new one
    (with a new ARN); records already in the old stream stay readable there for 24 hours.
    """
    if _stream_view_type(description):
        dynamodb.update_table(TableName=physical, StreamSpecification={"StreamEnabled": False})
        _wait_active(dynamodb, physical)
    if view_type:
        dynamodb.update_table(TableName=physical, StreamSpecification=_stream_on(view_type))
        _wait_active(dynamodb, physical)
    table: dict[str, Any] = dynamodb.describe_table(TableName=physical)["Table"]
    return table


def _wait_active(dynamodb: Any, physical: str) -> None:
    dynamodb.get_waiter("table_exists").wait(TableName=physical, WaiterConfig={"Delay": 1})


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
