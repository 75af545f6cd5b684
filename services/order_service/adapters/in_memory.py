"""In-memory twins of the adapters, for unit tests of the use cases."""

from __future__ import annotations

from datetime import datetime

from order_service.domain.acknowledgement import AcknowledgementOutcome
from order_service.domain.order import Order, OrderStatus
from order_service.ports import KitchenAlerts, KitchenGateway, OrderEvents, OrderRepository


class InMemoryOrderRepository(OrderRepository):
    def __init__(self) -> None:
        self.orders: dict[str, Order] = {}

    def add(self, order: Order) -> None:
        if order.order_id in self.orders:
            raise ValueError(f"order {order.order_id} exists")
        self.orders[order.order_id] = order

    def remove_unsent(self, order_id: str) -> None:
        order = self.orders.get(order_id)
        if order is not None and order.status is OrderStatus.ACCEPTED:
            del self.orders[order_id]

    def get(self, order_id: str) -> Order | None:
        return self.orders.get(order_id)

    def mark_acknowledged(self, order_id: str, at: datetime) -> AcknowledgementOutcome:
        order = self.orders.get(order_id)
        if order is None:
            return AcknowledgementOutcome.UNKNOWN_ORDER
        if order.status is not OrderStatus.ACCEPTED:
            return AcknowledgementOutcome.ALREADY_ACKNOWLEDGED
        self.orders[order_id] = order.acknowledge(at)
        return AcknowledgementOutcome.ACKNOWLEDGED


class InMemoryKitchenGateway(KitchenGateway):
    def __init__(self, fail_with: Exception | None = None) -> None:
        self.requested: list[Order] = []
        self._fail_with = fail_with

    def request_preparation(self, order: Order) -> None:
        if self._fail_with:
            raise self._fail_with
        self.requested.append(order)


class InMemoryOrderEvents(OrderEvents):
    def __init__(self) -> None:
        self.confirmed: list[Order] = []

    def order_confirmed(self, order: Order) -> None:
        self.confirmed.append(order)


class InMemoryKitchenAlerts(KitchenAlerts):
    def __init__(self) -> None:
        self.alerts: dict[str, datetime] = {}

    def alert_at(self, order: Order, at: datetime) -> None:
        self.alerts.setdefault(order.order_id, at)
