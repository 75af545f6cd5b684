"""Orders kept in DynamoDB, one item per order keyed on orderId, with their pending events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from integration_patterns.dynamodb_writes import is_conditional_check_failure
from integration_patterns.outbox import Condition, OutboxMessage, OutboxTable
from integration_patterns.runtime import utc_now
from order_service.adapters.status_change_messages import status_change_messages
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
    StatusChange,
    total_of,
)
from order_service.ports import OrderRepository

_deserializer = TypeDeserializer()

# Turns the events a change announces into the messages the outbox relay sends.
OutboxMessages = Callable[[Sequence[OrderEvent]], Sequence[OutboxMessage]]


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
        messages = [*self._messages(events), *status_change_messages(order, since=0)]
        if not self._outbox.create(_to_item(order), messages):
            raise OrderAlreadyExists(f"order {order.order_id} exists")

    def get(self, order_id: str) -> Order | None:
        response = self._dynamodb.get_item(TableName=self._table, Key=_key(order_id), ConsistentRead=True)
        item = response.get("Item")
        return _from_item({k: _deserializer.deserialize(v) for k, v in item.items()}) if item else None

    def save_change(self, order: Order, expected: OrderStatus, events: Sequence[OrderEvent]) -> bool:
        changes = {
            "status": order.status.value,
            "history": _history_item(order.history),
            "failureReason": order.failure_reason,
            "acknowledgedAt": order.acknowledged_at.isoformat() if order.acknowledged_at else None,
        }
        still = Condition("#status = :expected", {"#status": "status"}, {":expected": expected.value})
        messages = [
            *self._messages(events),
            *status_change_messages(order, since=_first_change(order.history, expected)),
        ]
        return self._outbox.update(order.order_id, changes, messages, condition=still)

    def claim(self, order_id: str, workflow_id: str) -> bool:
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key=_key(order_id),
                UpdateExpression="SET workflowId = :workflow",
                ConditionExpression="attribute_exists(orderId) AND "
                "(attribute_not_exists(workflowId) OR workflowId = :workflow)",
                ExpressionAttributeValues={":workflow": {"S": workflow_id}},
            )
        except ClientError as error:
            if is_conditional_check_failure(error):
                return False
            raise
        return True


def _first_change(history: tuple[StatusChange, ...], expected: OrderStatus) -> int:
    """Where the entries a change from ``expected`` adds begin: after the last one in ``expected``."""
    positions = [i for i, change in enumerate(history) if change.status is expected]
    return positions[-1] + 1 if positions else len(history)


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
        "items": [{k: v for k, v in vars(i).items() if v is not None} for i in order.items],
        "deliveryAddress": ({k: v for k, v in vars(address).items() if v is not None} if address is not None else None),
        "deliveryDueAt": order.delivery_due_at.isoformat() if order.delivery_due_at else None,
        "salesChannel": order.sales_channel.value,
        "totalCurrency": order.total.currency,
        "totalMinorUnits": order.total.minor_units,
        "history": _history_item(order.history),
        "failureReason": order.failure_reason,
        "callbackUrl": order.callback_url,
    }


def _history_item(history: tuple[StatusChange, ...]) -> list[dict[str, str]]:
    return [
        {"status": c.status.value, "at": c.at.isoformat(), **({"reason": c.reason} if c.reason else {})}
        for c in history
    ]


def _history_of(item: dict[str, Any], status: OrderStatus, placed_at: datetime) -> tuple[StatusChange, ...]:
    if "history" not in item:
        # Orders stored before histories existed: what their timestamps still say.
        changes = [StatusChange(OrderStatus.ACCEPTED, placed_at)]
        if item.get("acknowledgedAt") and status is not OrderStatus.ACCEPTED:
            changes.append(StatusChange(status, datetime.fromisoformat(item["acknowledgedAt"])))
        return tuple(changes)
    return tuple(
        StatusChange(OrderStatus(c["status"]), datetime.fromisoformat(c["at"]), c.get("reason"))
        for c in item["history"]
    )


def _from_item(item: dict[str, Any]) -> Order:
    address = item.get("deliveryAddress")
    acknowledged_at = item.get("acknowledgedAt")
    due_at = item.get("deliveryDueAt")
    items = tuple(OrderItem(pizza=i["pizza"], quantity=int(i["quantity"]), notes=i.get("notes")) for i in item["items"])
    status = OrderStatus(item["status"])
    placed_at = datetime.fromisoformat(item["placedAt"])
    return Order(
        history=_history_of(item, status, placed_at),
        failure_reason=item.get("failureReason"),
        delivery_due_at=datetime.fromisoformat(due_at) if due_at else None,
        # Orders stored before channels and prices existed read as web orders at today's prices.
        sales_channel=SalesChannel(item.get("salesChannel", SalesChannel.WEB.value)),
        total=Money(item["totalCurrency"], int(item["totalMinorUnits"]))
        if "totalMinorUnits" in item
        else total_of(items),
        order_id=item["orderId"],
        customer_id=item["customerId"],
        order_type=OrderType(item["orderType"]),
        status=status,
        placed_at=placed_at,
        acknowledged_at=datetime.fromisoformat(acknowledged_at) if acknowledged_at else None,
        items=items,
        delivery_address=DeliveryAddress(**address) if address else None,
        callback_url=item.get("callbackUrl"),
    )
