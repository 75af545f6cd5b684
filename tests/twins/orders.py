"""In-memory twins of the adapters, for unit tests of the use cases."""

from __future__ import annotations

from collections.abc import Sequence

from order_service.domain.events import OrderEvent
from order_service.domain.order import Order, OrderAlreadyExists, OrderStatus
from order_service.ports import OrderRepository


class InMemoryOrderRepository(OrderRepository):
    """Orders, and the events each write stored with them (the outbox), in the order written."""

    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}
        self.outbox: list[OrderEvent] = []

    def add(self, order: Order, events: Sequence[OrderEvent]) -> None:
        if order.order_id in self.orders:
            raise OrderAlreadyExists(f"order {order.order_id} exists")
        self.orders[order.order_id] = order
        self.outbox.extend(events)

    def get(self, order_id: str) -> Order | None:
        return self.orders.get(order_id)

    def save_acknowledged(self, order: Order, events: Sequence[OrderEvent]) -> bool:
        stored = self.orders.get(order.order_id)
        if stored is None or stored.status is not OrderStatus.ACCEPTED:
            return False
        self.orders[order.order_id] = order
        self.outbox.extend(events)
        return True
