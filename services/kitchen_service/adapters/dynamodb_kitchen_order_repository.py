"""Kitchen orders in DynamoDB, created once per orderId by a conditional write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from integration_patterns.dynamodb_writes import is_conditional_check_failure, put_if_absent
from kitchen_service.domain.delivery_alert import AlertOutcome, DeliveryAlert
from kitchen_service.domain.kitchen_order import Dish, KitchenOrder
from kitchen_service.ports import KitchenOrderRepository


def _dish(dish: Dish) -> dict[str, Any]:
    attributes: dict[str, Any] = {"pizza": {"S": dish.pizza}, "quantity": {"N": str(dish.quantity)}}
    if dish.notes:
        attributes["notes"] = {"S": dish.notes}
    return attributes


class DynamoDbKitchenOrderRepository(KitchenOrderRepository):
    def __init__(self, dynamodb_client: Any, table_name: str) -> None:
        self._dynamodb = dynamodb_client
        self._table = table_name

    def add_if_absent(self, order: KitchenOrder) -> bool:
        item = {
            "orderId": {"S": order.order_id},
            "customerId": {"S": order.customer_id},
            "receivedAt": {"S": order.received_at.isoformat()},
            "dishes": {"L": [{"M": _dish(d)} for d in order.dishes]},
        }
        return put_if_absent(self._dynamodb, self._table, item, key_attribute="orderId")

    def mark_alerted(self, alert: DeliveryAlert, at: datetime) -> AlertOutcome:
        key = {"orderId": {"S": alert.order_id}}
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key=key,
                UpdateExpression="SET alertedAt = :at, dueAt = :due",
                ConditionExpression="attribute_exists(orderId) AND attribute_not_exists(alertedAt)",
                ExpressionAttributeValues={":at": {"S": at.isoformat()}, ":due": {"S": alert.due_at.isoformat()}},
            )
        except ClientError as error:
            if not is_conditional_check_failure(error):
                raise
            found = self._dynamodb.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item")
            return AlertOutcome.ALREADY_RAISED if found else AlertOutcome.UNKNOWN_ORDER
        return AlertOutcome.RAISED
