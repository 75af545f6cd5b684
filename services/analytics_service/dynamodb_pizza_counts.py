"""Pizza counts in DynamoDB: one item per pizza, with atomic counters ``orders`` and ``pizzas``,
and a marker per counted order in a table of its own (``counted-orders``, one item per orderId)."""

from __future__ import annotations

from typing import Any

from analytics_service.domain import CountedOrder, CountOutcome, PizzaCount, PizzaInOrder
from analytics_service.ports import PizzaCounts
from integration_patterns.dynamodb_writes import MAX_TRANSACTION_ACTIONS, put_if_absent_with
from integration_patterns.errors import InvalidMessage

# One action of each transaction is the order's marker; the rest are its pizzas.
_MAX_PIZZAS_PER_ORDER = MAX_TRANSACTION_ACTIONS - 1


class DynamoDbPizzaCounts(PizzaCounts):
    def __init__(self, dynamodb_client: Any, table_name: str, counted_orders_table_name: str) -> None:
        self._dynamodb = dynamodb_client
        self._table = table_name
        self._counted_orders_table = counted_orders_table_name

    def count_once(self, order: CountedOrder) -> CountOutcome:
        # One transaction for the whole order: the marker exists only if every pizza was counted,
        # and its create-once condition stops a second event about the order from counting again.
        if len(order.pizzas) > _MAX_PIZZAS_PER_ORDER:
            raise InvalidMessage(
                f"order {order.order_id} has {len(order.pizzas)} different pizzas;"
                f" analytics counts at most {_MAX_PIZZAS_PER_ORDER} per order"
            )
        counted = put_if_absent_with(
            self._dynamodb,
            self._counted_orders_table,
            {"orderId": {"S": order.order_id}},
            key_attribute="orderId",
            also=[self._add(item) for item in order.pizzas],
        )
        return CountOutcome.COUNTED if counted else CountOutcome.ALREADY_COUNTED

    def counts(self) -> dict[str, PizzaCount]:
        totals: dict[str, PizzaCount] = {}
        for page in self._dynamodb.get_paginator("scan").paginate(TableName=self._table, ConsistentRead=True):
            for item in page.get("Items", []):
                totals[item["pizza"]["S"]] = PizzaCount(
                    orders=int(item.get("orders", {}).get("N", "0")),
                    pizzas=int(item.get("pizzas", {}).get("N", "0")),
                )
        return totals

    def _add(self, item: PizzaInOrder) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table,
                "Key": {"pizza": {"S": item.pizza}},
                "UpdateExpression": "ADD #orders :one, #pizzas :quantity",
                "ExpressionAttributeNames": {"#orders": "orders", "#pizzas": "pizzas"},
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":quantity": {"N": str(item.quantity)}},
            }
        }
