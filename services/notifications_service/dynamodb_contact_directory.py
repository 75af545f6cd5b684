"""Customers' contact details in DynamoDB (table ``customer-contacts``, one item per customerId)."""

from __future__ import annotations

from typing import Any

from notifications_service.domain import Contact
from notifications_service.ports import ContactDirectory


class DynamoDbContactDirectory(ContactDirectory):
    def __init__(self, dynamodb_client: Any, table_name: str) -> None:
        self._dynamodb = dynamodb_client
        self._table = table_name

    def contact_for(self, customer_id: str) -> Contact | None:
        response = self._dynamodb.get_item(TableName=self._table, Key={"customerId": {"S": customer_id}})
        item = response.get("Item")
        if item is None:
            return None
        return Contact(customer_id, name=_text(item, "name"), email=_text(item, "email"), phone=_text(item, "phone"))


def _text(item: dict[str, Any], attribute: str) -> str | None:
    # An empty or non-string attribute counts as absent: there is nobody to send it to.
    value = item.get(attribute, {}).get("S")
    return value or None
