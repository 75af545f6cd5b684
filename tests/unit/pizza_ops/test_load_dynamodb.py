"""How a load run reads the stored orders and the loyalty balances (pizza_ops.load.dynamodb)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pizza_ops.load.dynamodb import DynamoDbEffectCounter, EffectTables, order_state
from pizza_ops.load.effects import ANALYTICS, KITCHEN, LOYALTY
from pizza_ops.load.plan import LoadPlan, planned_orders

HISTORY = [
    {"status": "ACCEPTED", "at": "2026-12-04T10:00:00+00:00"},
    {"status": "PAID", "at": "2026-12-04T10:00:00.400000+00:00"},
    {"status": "CONFIRMED", "at": "2026-12-04T10:00:00.700000+00:00"},
]


def test_a_final_order_ends_at_its_history_entry_for_its_status() -> None:
    # Given a confirmed order as stored, with its history / When it is read
    state = order_state(
        {"orderId": "o-1", "status": "CONFIRMED", "placedAt": "2026-12-04T10:00:00+00:00", "history": HISTORY}
    )

    # Then it ended 0.7 s after it was placed, by its own clock
    assert state.is_final and state.final_at is not None
    assert (state.final_at - state.placed_at).total_seconds() == 0.7


def test_an_order_without_history_ends_at_its_acknowledgement_and_a_moving_one_has_no_end() -> None:
    # Given an acknowledged order stored before histories existed, and one still moving
    acknowledged = order_state(
        {
            "orderId": "o-2",
            "status": "ACKNOWLEDGED",
            "placedAt": "2026-12-04T10:00:00+00:00",
            "acknowledgedAt": "2026-12-04T10:00:00.150000+00:00",
        }
    )
    moving = order_state(
        {"orderId": "o-3", "status": "PAID", "placedAt": "2026-12-04T10:00:00+00:00", "history": HISTORY}
    )

    # Then the first ends at its acknowledgement, the second not yet
    assert (
        acknowledged.final_at is not None and (acknowledged.final_at - acknowledged.placed_at).total_seconds() == 0.15
    )
    assert not moving.is_final and moving.final_at is None


class TablesScanned:
    """A DynamoDB client whose scans return each table's items (already filtered, as the emulator would)."""

    def __init__(self, items: dict[str, list[dict[str, Any]]]) -> None:
        self._items = items

    def get_paginator(self, operation: str) -> TablesScanned:
        assert operation == "scan"
        return self

    def paginate(self, TableName: str, **_: Any) -> Iterator[dict[str, Any]]:  # noqa: N803
        yield {"Items": self._items.get(TableName, [])}


def test_points_added_twice_for_one_award_count_as_a_duplicated_loyalty_effect() -> None:
    # Given two orders of a run: the first's award added once to its customer's balance, the
    # second's twice (one AWARD item, twice its points), and the second's kitchen order recorded
    # twice; only the first counted by analytics
    plan = LoadPlan(rate=2, duration=1, workflow="choreography", delivery_share=0)
    first, second = planned_orders(plan)
    tables = EffectTables("kitchen", "loyalty", "notifications", "deliveries", "counted")

    def award(customer: str, points: int) -> dict[str, Any]:
        return {"pk": {"S": f"AWARD#{customer}"}, "customerId": {"S": customer}, "points": {"N": str(points)}}

    def balance(customer: str, points: int) -> dict[str, Any]:
        return {"pk": {"S": f"CUSTOMER#{customer}"}, "points": {"N": str(points)}}

    client = TablesScanned(
        {
            "kitchen": [{"customerId": {"S": c}} for c in (first.customer_id, second.customer_id, second.customer_id)],
            "loyalty": [
                award(first.customer_id, 8),
                balance(first.customer_id, 8),
                award(second.customer_id, 7),
                balance(second.customer_id, 14),
            ],
            "counted": [{"orderId": {"S": "order-a"}}, {"orderId": {"S": "someone-else"}}],
        }
    )

    # When the effects are counted
    counts = DynamoDbEffectCounter(client, tables, plan.customer_prefix).count(
        [("order-a", first), ("order-b", second)]
    )

    # Then the first shows each once, the second its kitchen order and its award twice
    assert (counts["order-a"][KITCHEN], counts["order-a"][LOYALTY], counts["order-a"][ANALYTICS]) == (1, 1, 1)
    assert (counts["order-b"][KITCHEN], counts["order-b"][LOYALTY], counts["order-b"][ANALYTICS]) == (2, 2, 0)
