"""A table's stream records, read back as Lambda receives them: what an outbox replay re-delivers."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from integration_patterns.outbox import PENDING_FLAG


def stream_records_of(
    dynamodb: Any, streams: Any, table: str, key: str, values: Collection[str]
) -> list[dict[str, Any]]:
    """Every record the table's stream still holds for the items whose ``key`` is one of ``values``,
    oldest first per shard, shaped as a stream trigger hands them to a function."""
    stream_arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    wanted = set(values)
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        ).get("ShardIterator")
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            records += [
                _as_lambda_sees_it(record, stream_arn)
                for record in page["Records"]
                if record["dynamodb"].get("Keys", {}).get(key, {}).get("S") in wanted
            ]
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return records


def stored_events(record: dict[str, Any]) -> bool:
    """Whether the write a record shows stored events (the relay's trigger passes only those)."""
    return PENDING_FLAG in record["dynamodb"].get("NewImage", {})


def _as_lambda_sees_it(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """boto3 parses the creation time into a datetime; Lambda passes it as epoch seconds."""
    created = record["dynamodb"].get("ApproximateCreationDateTime")
    dynamodb = {**record["dynamodb"]}
    if created is not None:
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": dynamodb, "eventSourceARN": stream_arn}
