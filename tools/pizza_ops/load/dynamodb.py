"""The orders' states and their effects, read from the services' DynamoDB tables."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from pizza_ops.dynamodb_items import batch_get
from pizza_ops.load.effects import ANALYTICS, DELIVERY, KITCHEN, LOYALTY, NOTIFICATION, PAYMENT
from pizza_ops.load.plan import PlannedOrder
from pizza_ops.load.ports import EffectCounter, OrderStates
from pizza_ops.load.results import OrderState

_deserializer = TypeDeserializer()


class DynamoDbOrderStates(OrderStates):
    """Orders read from the orders table, 100 to a BatchGetItem, strongly consistent.

    In two reads, so a large backlog stays cheap to follow (the load must not take the cores it
    measures): every order's status and placedAt (a few bytes each, read by hand), then the whole
    item (its history, for the final status's time) of the orders found final only. The runner
    reads the orders still moving, so each order's item is read whole once.
    """

    def __init__(self, dynamodb_client: Any, table_name: str) -> None:
        self._dynamodb = dynamodb_client
        self._table = table_name

    def read(self, order_ids: Collection[str]) -> Mapping[str, OrderState]:
        found: dict[str, OrderState] = {}
        for item in self._batch_get(list(order_ids), _STATUS_ONLY):
            state = OrderState(
                order_id=item["orderId"]["S"],
                status=item["status"]["S"],
                placed_at=datetime.fromisoformat(item["placedAt"]["S"]),
            )
            found[state.order_id] = state
        final = [order_id for order_id, state in found.items() if state.is_final]
        for item in self._batch_get(final, _FOR_THE_FINAL_TIME):
            state = order_state({name: _deserializer.deserialize(value) for name, value in item.items()})
            found[state.order_id] = state
        return found

    def orders_by_customer(self, customer_prefix: str) -> Mapping[str, Sequence[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        pages = self._dynamodb.get_paginator("scan").paginate(
            TableName=self._table,
            ConsistentRead=True,
            FilterExpression="begins_with(customerId, :prefix)",
            ProjectionExpression="orderId, customerId",
            ExpressionAttributeValues={":prefix": {"S": customer_prefix}},
        )
        for page in pages:
            for item in page.get("Items", []):
                found[item["customerId"]["S"]].append(item["orderId"]["S"])
        return found

    def _batch_get(self, order_ids: list[str], projection: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        return batch_get(self._dynamodb, self._table, "orderId", order_ids, projection)


_STATUS = {"ExpressionAttributeNames": {"#status": "status"}}
_STATUS_ONLY = {"ProjectionExpression": "orderId, #status, placedAt", **_STATUS}
_FOR_THE_FINAL_TIME = {
    "ProjectionExpression": "orderId, #status, placedAt, acknowledgedAt, history, failureReason",
    **_STATUS,
}


def order_state(item: Mapping[str, Any]) -> OrderState:
    """An order item (deserialized) as the load run sees it: the time of its final status is its
    history's entry for that status (the acknowledgement's time for orders without a history)."""
    status = str(item["status"])
    entries = [entry for entry in item.get("history") or [] if entry.get("status") == status]
    final_text = entries[-1]["at"] if entries else item.get("acknowledgedAt")
    state = OrderState(
        order_id=str(item["orderId"]),
        status=status,
        placed_at=datetime.fromisoformat(str(item["placedAt"])),
        failure_reason=item.get("failureReason"),
    )
    if state.is_final and final_text:
        return OrderState(
            state.order_id, status, state.placed_at, datetime.fromisoformat(str(final_text)), state.failure_reason
        )
    return state


@dataclass(frozen=True)
class EffectTables:
    """The deployed names of the tables the effects are counted in (``payments`` for the saga only)."""

    kitchen_orders: str
    loyalty_accounts: str
    notifications: str
    deliveries: str
    analytics_counted_orders: str
    payments: str | None = None


class DynamoDbEffectCounter(EffectCounter):
    """Effects counted in each service's table by customer: every order of a load run has a
    customer of its own, so two records for one customer are one order's effect twice (even if a
    second order was created for it). Analytics keeps only order ids: there, at most one shows."""

    def __init__(self, dynamodb_client: Any, tables: EffectTables, customer_prefix: str) -> None:
        self._dynamodb = dynamodb_client
        self._tables = tables
        self._prefix = customer_prefix

    def count(self, orders: Sequence[tuple[str, PlannedOrder]]) -> Mapping[str, Mapping[str, int]]:
        by_customer = {
            KITCHEN: self._per_customer(self._tables.kitchen_orders),
            NOTIFICATION: self._per_customer(self._tables.notifications),
            DELIVERY: self._per_customer(self._tables.deliveries),
            LOYALTY: self._loyalty_awards(),
        }
        if self._tables.payments is not None:
            by_customer[PAYMENT] = self._per_customer(self._tables.payments)
        counted = self._counted_orders({order_id for order_id, _ in orders})
        counts: dict[str, dict[str, int]] = {}
        for order_id, order in orders:
            counts[order_id] = {effect: found.get(order.customer_id, 0) for effect, found in by_customer.items()}
            counts[order_id][ANALYTICS] = 1 if order_id in counted else 0
        return counts

    def _per_customer(self, table: str) -> Counter[str]:
        items = self._scan(
            table,
            FilterExpression="begins_with(customerId, :prefix)",
            ProjectionExpression="customerId",
            ExpressionAttributeValues={":prefix": {"S": self._prefix}},
        )
        return Counter(item["customerId"]["S"] for item in items)

    def _loyalty_awards(self) -> Counter[str]:
        """Awards per customer: the AWARD items, or as many awards as the balance holds if more (an
        award added to the balance twice without a second AWARD item is a duplicate too)."""
        items = self._scan(
            self._tables.loyalty_accounts,
            FilterExpression="begins_with(customerId, :prefix) OR begins_with(pk, :balance)",
            ProjectionExpression="pk, customerId, points",
            ExpressionAttributeValues={":prefix": {"S": self._prefix}, ":balance": {"S": f"CUSTOMER#{self._prefix}"}},
        )
        awards: dict[str, list[int]] = defaultdict(list)
        balances: dict[str, int] = {}
        for item in items:
            points = int(item.get("points", {}).get("N", "0"))
            if item["pk"]["S"].startswith("AWARD#"):
                awards[item["customerId"]["S"]].append(points)
            else:
                balances[item["pk"]["S"].removeprefix("CUSTOMER#")] = points
        counts: Counter[str] = Counter()
        for customer, awarded in awards.items():
            applied = round(balances.get(customer, 0) / awarded[0]) if awarded[0] > 0 else 0
            counts[customer] = max(len(awarded), applied)
        return counts

    def _counted_orders(self, order_ids: set[str]) -> set[str]:
        items = self._scan(self._tables.analytics_counted_orders, ProjectionExpression="orderId")
        return {item["orderId"]["S"] for item in items} & order_ids

    def _scan(self, table: str, **request: Any) -> Iterator[dict[str, Any]]:
        for page in self._dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True, **request):
            yield from page.get("Items", [])
