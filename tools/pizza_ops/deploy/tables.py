"""DynamoDB tables: created once, their stream and TTL converged on every deploy, indexes declared since
added (an index no longer declared is left in place: deleting it is for a person to decide)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from pizza_ops.system import Table, TableIndex


@dataclass(frozen=True)
class DeployedTable:
    arn: str
    # The current stream's ARN; None when the table has no stream.
    stream_arn: str | None = None


def ensure_table(dynamodb: Any, physical: str, table: Table) -> DeployedTable:
    """Create the table if missing, add the indexes it lacks, converge its stream and TTL to the
    declaration, and describe it."""
    try:
        description = dynamodb.describe_table(TableName=physical)["Table"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        stream = {"StreamSpecification": _stream_on(table.stream_view_type)} if table.stream_view_type else {}
        indexes = {"GlobalSecondaryIndexes": [_index(n, i) for n, i in table.indexes.items()]} if table.indexes else {}
        description = dynamodb.create_table(
            TableName=physical,
            AttributeDefinitions=_attributes(table),
            KeySchema=[{"AttributeName": table.hash_key, "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            **stream,
            **indexes,
        )["TableDescription"]
        _wait_active(dynamodb, physical)
    _add_missing_indexes(dynamodb, physical, table, description)
    if _stream_view_type(description) != table.stream_view_type:
        description = _converge_stream(dynamodb, physical, description, table.stream_view_type)
    _converge_ttl(dynamodb, physical, table.ttl_attribute)
    stream_arn = description.get("LatestStreamArn") if _stream_view_type(description) else None
    return DeployedTable(arn=str(description["TableArn"]), stream_arn=str(stream_arn) if stream_arn else None)


def _attributes(table: Table) -> list[dict[str, str]]:
    names = dict.fromkeys([table.hash_key, *(index.hash_key for index in table.indexes.values())])
    return [{"AttributeName": name, "AttributeType": "S"} for name in names]


def _index(name: str, index: TableIndex) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [{"AttributeName": index.hash_key, "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
    }


def _add_missing_indexes(dynamodb: Any, physical: str, table: Table, description: dict[str, Any]) -> None:
    """An index declared after the table was created is added (one at a time, as DynamoDB allows)."""
    existing = {index["IndexName"] for index in description.get("GlobalSecondaryIndexes") or []}
    for name, index in table.indexes.items():
        if name not in existing:
            dynamodb.update_table(
                TableName=physical,
                AttributeDefinitions=_attributes(table),
                GlobalSecondaryIndexUpdates=[{"Create": _index(name, index)}],
            )
            _wait_indexes_active(dynamodb, physical)


# How long a new index may take to backfill (minutes on AWS, even for an empty table), and how
# often its status is read meanwhile.
_INDEX_WAIT_SECONDS = 1800
_INDEX_POLL_SECONDS = 5


def _wait_indexes_active(dynamodb: Any, physical: str) -> None:
    """Wait until every index is ACTIVE, not only the table: the table is ACTIVE again while a new
    index still backfills, and until the index is done DynamoDB refuses to create another one
    (LimitExceededException) and the index answers no query."""
    deadline = time.monotonic() + _INDEX_WAIT_SECONDS
    while True:
        table = dynamodb.describe_table(TableName=physical)["Table"]
        # An emulator may report no IndexStatus: its index is usable at once.
        busy = [
            i["IndexName"]
            for i in table.get("GlobalSecondaryIndexes") or []
            if i.get("IndexStatus", "ACTIVE") != "ACTIVE"
        ]
        if table.get("TableStatus", "ACTIVE") == "ACTIVE" and not busy:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{physical}: indexes {busy} still not ACTIVE after {_INDEX_WAIT_SECONDS} s")
        time.sleep(_INDEX_POLL_SECONDS)


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
