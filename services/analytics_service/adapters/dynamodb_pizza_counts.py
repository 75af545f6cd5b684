"""Pizza counts in DynamoDB: one item per pizza, with atomic counters ``orders`` and ``pizzas``."""

from __future__ import annotations

from typing import Any

from analytics_service.domain.pizza_counts import CountedOrder, PizzaCount
from analytics_service.ports import PizzaCounts
from integration_patterns.errors import InvalidMessage

# DynamoDB's limit on the actions in one transaction.
_MAX_TRANSACTION_ACTIONS = 100


class DynamoDbPizzaCounts(PizzaCounts):
    def __init__(self, dynamodb_client: Any, table_name: str) -> None:
        self._dynamodb = dynamodb_client
        self._table = table_name

    def count_order(self, order: CountedOrder) -> None:
        # One transaction for the whole order: if it fails, no pizza was counted, so the inbox's
        # rerun of the order cannot count some pizzas twice.
        if len(order.pizzas) > _MAX_TRANSACTION_ACTIONS:
            raise InvalidMessage(
                f"order {order.order_id} has {len(order.pizzas)} different pizzas;"
                f" analytics counts at most {_MAX_TRANSACTION_ACTIONS} per order"
            )
        self._dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": {"pizza": {"S": item.pizza}},
                        "UpdateExpression": "ADD #orders :one, #pizzas :quantity",
                        "ExpressionAttributeNames": {"#orders": "orders", "#pizzas": "pizzas"},
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":quantity": {"N": str(item.quantity)}},
                    }
                }
                for item in order.pizzas
            ]
        )

    def counts(self) -> dict[str, PizzaCount]:
        totals: dict[str, PizzaCount] = {}
        for page in self._dynamodb.get_paginator("scan").paginate(TableName=self._table, ConsistentRead=True):
            for item in page.get("Items", []):
                totals[item["pizza"]["S"]] = PizzaCount(
                    orders=int(item.get("orders", {}).get("N", "0")),
                    pizzas=int(item.get("pizzas", {}).get("N", "0")),
                )
        return totals
