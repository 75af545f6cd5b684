"""Orders kept in DynamoDB, one item per order keyed on orderId, with their pending events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from integration_patterns.outbox import Condition, OutboxMessage, OutboxTable
from integration_patterns.runtime import utc_now
from order_service.domain.events import OrderEvent
from order_service.domain.menu import Money
from order_service.domain.order import (
    DeliveryAddress,
    Order,
    OrderAlreadyExists,
    OrderItem,
    OrderStatus,
    OrderType,
    SalesChannel,
    total_of,
)
from order_service.ports import OrderRepository

_deserializer = TypeDeserializer()

# Turns the events a change announces into the messages the outbox relay sends.
OutboxMessages = Callable[[Sequence[OrderEvent]], Sequence[OutboxMessage]]

_STILL_ACCEPTED = Condition("#status = :accepted", {"#status": "status"}, {":accepted": OrderStatus.ACCEPTED.value})


class DynamoDbOrderRepository(OrderRepository):
    """One item per order; the events a change announces are stored on the same item (outbox)."""

    def __init__(
        self,
        dynamodb_client: Any,
        table_name: str,
        messages: OutboxMessages,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._dynamodb = dynamodb_client
        self._table = table_name
        self._messages = messages
        self._outbox = OutboxTable(dynamodb_client, table_name, "orderId", now)

    def add(self, order: Order, events: Sequence[OrderEvent]) -> None:
        if not self._outbox.create(_to_item(order), self._messages(events)):
            raise OrderAlreadyExists(f"order {order.order_id} exists")

    def get(self, order_id: str) -> Order | None:
        response = self._dynamodb.get_item(TableName=self._table, Key=_key(order_id), ConsistentRead=True)
        item = response.get("Item")
        return _from_item({k: _deserializer.deserialize(v) for k, v in item.items()}) if item else None

    def save_acknowledged(self, order: Order, events: Sequence[OrderEvent]) -> bool:
        changes = {
            "status": OrderStatus.ACKNOWLEDGED.value,
            "acknowledgedAt": order.acknowledged_at.isoformat() if order.acknowledged_at else None,
        }
        return self._outbox.update(order.order_id, changes, self._messages(events), condition=_STILL_ACCEPTED)


def _key(order_id: str) -> dict[str, Any]:
    return {"orderId": {"S": order_id}}


def _to_item(order: Order) -> dict[str, Any]:
    address = order.delivery_address
    return {
        "orderId": order.order_id,
        "customerId": order.customer_id,
        "orderType": order.order_type.value,
        "status": order.status.value,
        "placedAt": order.placed_at.isoformat(),
        "acknowledgedAt": order.acknowledged_at.isoformat() if order.acknowledged_at else None,
        "items": [{"pizza": i.pizza, "quantity": i.quantity} for i in order.items],
        "deliveryAddress": ({k: v for k, v in vars(address).items() if v is not None} if address is not None else None),
        "deliveryDueAt": order.delivery_due_at.isoformat() if order.delivery_due_at else None,
        "salesChannel": order.sales_channel.value,
        "totalCurrency": order.total.currency,
        "totalMinorUnits": order.total.minor_units,
    }


def _from_item(item: dict[str, Any]) -> Order:
    address = item.get("deliveryAddress")
    acknowledged_at = item.get("acknowledgedAt")
    due_at = item.get("deliveryDueAt")
    items = tuple(OrderItem(pizza=i["pizza"], quantity=int(i["quantity"])) for i in item["items"])
    return Order(
        delivery_due_at=datetime.fromisoformat(due_at) if due_at else None,
        # Orders stored before channels and prices existed read as web orders at today's prices.
        sales_channel=SalesChannel(item.get("salesChannel", SalesChannel.WEB.value)),
        total=Money(item["totalCurrency"], int(item["totalMinorUnits"]))
        if "totalMinorUnits" in item
        else total_of(items),
        order_id=item["orderId"],
        customer_id=item["customerId"],
        order_type=OrderType(item["orderType"]),
        status=OrderStatus(item["status"]),
        placed_at=datetime.fromisoformat(item["placedAt"]),
        acknowledged_at=datetime.fromisoformat(acknowledged_at) if acknowledged_at else None,
        items=items,
        delivery_address=DeliveryAddress(**address) if address else None,
    )
