"""Kitchen orders in DynamoDB, created once per orderId by a conditional write."""

from __future__ import annotations

from typing import Any

from integration_patterns.dynamodb_writes import put_if_absent
from kitchen_service.domain.kitchen_order import KitchenOrder
from kitchen_service.ports import KitchenOrderRepository


class DynamoDbKitchenOrderRepository(KitchenOrderRepository):
    def __init__(self, dynamodb_client: Any, table_name: str) -> None:
        self._dynamodb = dynamodb_client
        self._table = table_name

    def add_if_absent(self, order: KitchenOrder) -> bool:
        item = {
            "orderId": {"S": order.order_id},
            "customerId": {"S": order.customer_id},
            "receivedAt": {"S": order.received_at.isoformat()},
            "dishes": {
                "L": [{"M": {"pizza": {"S": d.pizza}, "quantity": {"N": str(d.quantity)}}} for d in order.dishes]
            },
        }
        return put_if_absent(self._dynamodb, self._table, item, key_attribute="orderId")
