"""What the saga scenarios read to judge a run: the run's stored orders and their final states, the
payments' and reservations' statuses, the inventory's stock levels (read and set as an operator
would). Shared by saga-failures and kitchen-timeout."""

from __future__ import annotations

from typing import Any

from inventory_service.domain import DEFAULT_INITIAL_STOCK
from pizza_ops.chaos.queues import wait_until
from pizza_ops.dynamodb_items import batch_get
from pizza_ops.load import LoadPlan, OrderState
from pizza_ops.load.dynamodb import DynamoDbOrderStates


def stored_orders(states: DynamoDbOrderStates, plan: LoadPlan) -> dict[str, int]:
    """The run's stored orders (answered with a 202 or not), each with its place in the run."""
    stored = states.orders_by_customer(plan.customer_prefix)
    return {ids[0]: int(customer.removeprefix(plan.customer_prefix)) for customer, ids in stored.items() if ids}


def final_states(states: DynamoDbOrderStates, order_ids: list[str], timeout: float) -> dict[str, OrderState]:
    """The orders' states once all are final (or as they are at ``timeout``)."""
    found: dict[str, OrderState] = {}

    def all_final() -> bool:
        found.update(
            states.read([order_id for order_id in order_ids if not (order_id in found and found[order_id].is_final)])
        )
        return all(order_id in found and found[order_id].is_final for order_id in order_ids)

    wait_until(all_final, timeout)
    return found


class Stock:
    """The inventory's stock levels, read and set as an operator would (a pizza never stocked has none
    stored and reads as the service's initial stock, which setting it stores)."""

    def __init__(self, dynamodb: Any, table: str, initial: int = DEFAULT_INITIAL_STOCK) -> None:
        self._dynamodb, self._table, self._initial = dynamodb, table, initial

    def levels(self, pizzas: tuple[str, ...]) -> dict[str, int]:
        found = {}
        for pizza in pizzas:
            item = self._dynamodb.get_item(TableName=self._table, Key={"pizza": {"S": pizza}}, ConsistentRead=True)
            found[pizza] = int(item["Item"]["stock"]["N"]) if "Item" in item else self._initial
        return found

    def set(self, pizza: str, level: int) -> None:
        self._dynamodb.update_item(
            TableName=self._table,
            Key={"pizza": {"S": pizza}},
            UpdateExpression="SET stock = :level",
            ExpressionAttributeValues={":level": {"N": str(level)}},
        )


def statuses_of(dynamodb: Any, table: str, order_ids: list[str]) -> dict[str, str]:
    """Each order's status in a table keyed on ``orderId`` (a payment's, a reservation's); an order
    without an item is left out."""
    return {item["orderId"]["S"]: item["status"]["S"] for item in batch_get(dynamodb, table, "orderId", order_ids)}
