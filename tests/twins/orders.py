"""In-memory twins of the adapters, for unit tests of the use cases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from order_service.domain.events import OrderEvent
from order_service.domain.order import Order, OrderAlreadyExists, OrderStatus
from order_service.ports import OrderRepository


class InMemoryOrderRepository(OrderRepository):
    """Orders, and the events each write stored with them (the outbox), in the order written."""

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}
        self.outbox: list[OrderEvent] = []
        # The one workflow moving each order (see claim).
        self.workflows: dict[str, str] = {}

    def add(self, order: Order, events: Sequence[OrderEvent]) -> None:
        if order.order_id in self.orders:
            raise OrderAlreadyExists(f"order {order.order_id} exists")
        self.orders[order.order_id] = order
        self.outbox.extend(events)

    def get(self, order_id: str) -> Order | None:
        return self.orders.get(order_id)

    def save_change(self, order: Order, expected: OrderStatus, events: Sequence[OrderEvent]) -> bool:
        stored = self.orders.get(order.order_id)
        if stored is None or stored.status is not expected:
            return False
        # Only what the adapter writes changes; the rest stays as stored.
        self.orders[order.order_id] = replace(
            stored,
            status=order.status,
            history=order.history,
            failure_reason=order.failure_reason,
            acknowledged_at=order.acknowledged_at,
        )
        self.outbox.extend(events)
        return True

    def claim(self, order_id: str, workflow_id: str) -> bool:
        if order_id not in self.orders:
            return False
        return self.workflows.setdefault(order_id, workflow_id) == workflow_id
