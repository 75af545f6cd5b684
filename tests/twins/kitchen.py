"""In-memory twins of the adapters, for unit tests of the use cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from kitchen_service.domain.delivery_alert import AlertOutcome, DeliveryAlert
from kitchen_service.domain.kitchen_order import KitchenOrder
from kitchen_service.ports import Acknowledgements, KitchenOrderRepository


class InMemoryKitchenOrderRepository(KitchenOrderRepository):
    def __init__(self) -> None:
        self.orders: dict[str, KitchenOrder] = {}

    def add_if_absent(self, order: KitchenOrder) -> bool:
        if order.order_id in self.orders:
            return False
        self.orders[order.order_id] = order
        return True

    def mark_alerted(self, alert: DeliveryAlert, at: datetime) -> AlertOutcome:
        order = self.orders.get(alert.order_id)
        if order is None:
            return AlertOutcome.UNKNOWN_ORDER
        if order.alerted_at is not None:
            return AlertOutcome.ALREADY_RAISED
        self.orders[alert.order_id] = replace(order, alerted_at=at, due_at=alert.due_at)
        return AlertOutcome.RAISED


class InMemoryAcknowledgements(Acknowledgements):
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        # Callback ids, with the order id answered or the reason refused; each closes once.
        self.answered: dict[str, str] = {}
        self.refused: dict[str, str] = {}

    def acknowledge(self, order_id: str, reply_to: str) -> None:
        self.sent.append((order_id, reply_to))

    def answer(self, callback_id: str, order_id: str, acknowledged_at: datetime) -> bool:
        if callback_id in self.answered or callback_id in self.refused:
            return False
        self.answered[callback_id] = order_id
        return True

    def refuse(self, callback_id: str, reason: str) -> bool:
        if callback_id in self.answered or callback_id in self.refused:
            return False
        self.refused[callback_id] = reason
        return True
