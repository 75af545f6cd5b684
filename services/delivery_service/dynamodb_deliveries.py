"""Deliveries in DynamoDB, one per orderId, created once by a conditional write."""

from __future__ import annotations

from typing import Any

from delivery_service.domain import Address, Delivery
from delivery_service.ports import Deliveries
from integration_patterns.dynamodb_writes import put_if_absent


class DynamoDbDeliveries(Deliveries):
    def __init__(self, dynamodb_client: Any, table_name: str) -> None:
        self._dynamodb = dynamodb_client
        self._table = table_name

    def add_if_absent(self, delivery: Delivery) -> bool:
        item = {
            "orderId": {"S": delivery.order_id},
            "customerId": {"S": delivery.customer_id},
            **_address_attributes(delivery.address),
            "dueAt": {"S": delivery.due_at.isoformat()},
            "status": {"S": delivery.status.value},
            "createdAt": {"S": delivery.created_at.isoformat()},
        }
        return put_if_absent(self._dynamodb, self._table, item, key_attribute="orderId")


def _address_attributes(address: Address) -> dict[str, Any]:
    # Top-level attributes, as the drivers' app reads them; the optional ones only when set.
    attributes = {
        "line1": {"S": address.line1},
        "city": {"S": address.city},
        "postcode": {"S": address.postcode},
    }
    optional = {"line2": address.line2, "contactPhone": address.contact_phone, "notes": address.notes}
    attributes.update({name: {"S": value} for name, value in optional.items() if value})
    return attributes
