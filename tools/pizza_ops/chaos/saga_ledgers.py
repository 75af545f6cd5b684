"""What the saga scenarios read to judge a run: the run's stored orders and their final states, the
payments' and reservations' statuses, the inventory's stock levels (read and set as an operator
would). Shared by saga-failures and kitchen-timeout."""

from __future__ import annotations

from typing import Any

from inventory_service.domain import DEFAULT_INITIAL_STOCK
from inventory_service.dynamodb_stock import DynamoDbStockLedger
from pizza_ops.chaos.queues import wait_until
from pizza_ops.deployed_stack import DeployedStack
from pizza_ops.dynamodb_items import batch_get
from pizza_ops.load import LoadPlan, OrderState
from pizza_ops.load.dynamodb import DynamoDbOrderStates


def stored_orders(states: DynamoDbOrderStates, plan: LoadPlan) -> dict[str, int]:
    """The run's stored orders (answered with a 202 or not), each with its place in the run."""
    stored = states.orders_by_customer(plan.customer_prefix)
    return {ids[0]: plan.seq_of(customer) for customer, ids in stored.items() if ids}


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


def stock_ledger(stack: DeployedStack) -> DynamoDbStockLedger:
    """The inventory's own stock ledger on the deployed tables: levels read (and topped up) as
    `pizza restock` does, a pizza never stocked reading as the initial stock."""
    dynamodb = stack.client("dynamodb")
    reservations = stack.table("inventory-reservations")
    return DynamoDbStockLedger(dynamodb, stack.table("inventory-stock"), reservations, DEFAULT_INITIAL_STOCK)


def sell_out(stack: DeployedStack, pizza: str) -> None:
    """The pizza's stock set to 0, as a day's sales would leave it (the fault; `pizza restock` undoes it)."""
    stack.client("dynamodb").update_item(
        TableName=stack.table("inventory-stock"),
        Key={"pizza": {"S": pizza}},
        UpdateExpression="SET stock = :none",
        ExpressionAttributeValues={":none": {"N": "0"}},
    )


def statuses_of(dynamodb: Any, table: str, order_ids: list[str]) -> dict[str, str]:
    """Each order's status in a table keyed on ``orderId`` (a payment's, a reservation's); an order
    without an item is left out."""
    return {item["orderId"]["S"]: item["status"]["S"] for item in batch_get(dynamodb, table, "orderId", order_ids)}
