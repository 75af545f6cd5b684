"""Reading many DynamoDB items by key, as the operator tools do (low-level client, typed attributes)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

MAX_KEYS_PER_BATCH_GET = 100  # the most keys one BatchGetItem takes


def batch_get(
    dynamodb: Any, table: str, key_name: str, keys: Sequence[str], options: Mapping[str, Any] | None = None
) -> Iterator[dict[str, Any]]:
    """Every item of ``table`` whose string key ``key_name`` is one of ``keys`` (missing ones are left out),
    read consistently; ``options`` adds to each request (a projection, its attribute names).

    Keys DynamoDB leaves unprocessed (throttling, the 16 MB answer limit) are asked for again until
    none are left, so nothing is silently dropped.
    """
    for start in range(0, len(keys), MAX_KEYS_PER_BATCH_GET):
        chunk = [{key_name: {"S": key}} for key in keys[start : start + MAX_KEYS_PER_BATCH_GET]]
        request: dict[str, Any] = {table: {"Keys": chunk, "ConsistentRead": True, **(options or {})}}
        while request:
            answer = dynamodb.batch_get_item(RequestItems=request)
            yield from answer.get("Responses", {}).get(table, [])
            request = answer.get("UnprocessedKeys") or {}
