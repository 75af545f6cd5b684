"""Reading many items by key: every key asked for once per batch of 100, unprocessed keys asked again."""

from __future__ import annotations

from typing import Any

from pizza_ops.dynamodb_items import batch_get


class _TableThatLeavesKeysUnprocessed:
    """A BatchGetItem that answers only the first key of each request, leaving the rest unprocessed."""

    def __init__(self, table: str, stored: set[str]) -> None:
        self.table, self.stored = table, stored
        self.requests: list[dict[str, Any]] = []

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803 - boto3's name
        self.requests.append(RequestItems)
        request = RequestItems[self.table]
        first, *rest = request["Keys"]
        answered = [first] if first["id"]["S"] in self.stored else []
        unprocessed = {self.table: {**request, "Keys": rest}} if rest else {}
        return {"Responses": {self.table: answered}, "UnprocessedKeys": unprocessed}


def test_keys_left_unprocessed_are_asked_for_again_until_every_stored_item_is_read() -> None:
    # Given a table that answers one key per request, and 3 keys of which 2 are stored
    table = _TableThatLeavesKeysUnprocessed("t", {"a", "c"})

    # When the items are read
    items = list(batch_get(table, "t", "id", ["a", "b", "c"], {"ProjectionExpression": "id"}))

    # Then both stored items come back, after one request per key, each consistent and projected
    assert [item["id"]["S"] for item in items] == ["a", "c"]
    assert len(table.requests) == 3
    assert all(r["t"]["ConsistentRead"] and r["t"]["ProjectionExpression"] == "id" for r in table.requests)


def test_more_keys_than_one_batch_takes_are_asked_for_100_at_a_time() -> None:
    # Given 250 stored keys and a table that answers every key at once
    keys = [f"k{n}" for n in range(250)]
    sizes: list[int] = []

    class _Table:
        def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803 - boto3's name
            sizes.append(len(RequestItems["t"]["Keys"]))
            return {"Responses": {"t": RequestItems["t"]["Keys"]}}

    # When they are read
    items = list(batch_get(_Table(), "t", "id", keys))

    # Then in batches of 100, 100 and 50, every key once
    assert sizes == [100, 100, 50]
    assert [item["id"]["S"] for item in items] == keys
