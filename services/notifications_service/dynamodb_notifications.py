"""Notifications in DynamoDB, one per orderId, created once by a conditional write."""

from __future__ import annotations

from typing import Any

from integration_patterns.dynamodb_writes import put_if_absent
from notifications_service.domain import Notification
from notifications_service.ports import Notifications


class DynamoDbNotifications(Notifications):
    def __init__(self, dynamodb_client: Any, table_name: str) -> None:
        self._dynamodb = dynamodb_client
        self._table = table_name

    def record(self, notification: Notification) -> bool:
        item: dict[str, Any] = {
            "orderId": {"S": notification.order_id},
            "customerId": {"S": notification.customer_id},
            "channel": {"S": notification.channel.value},
            "text": {"S": notification.text},
            "createdAt": {"S": notification.created_at.isoformat()},
        }
        if notification.recipient is not None:
            item["recipient"] = {"S": notification.recipient}
        if notification.reason is not None:
            item["reason"] = {"S": notification.reason}
        return put_if_absent(self._dynamodb, self._table, item, key_attribute="orderId")
