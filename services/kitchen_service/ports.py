"""What the kitchen's use cases need from the outside world."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from kitchen_service.domain.delivery_alert import AlertOutcome, DeliveryAlert
from kitchen_service.domain.kitchen_order import KitchenOrder


class KitchenOrderRepository(ABC):
    """The kitchen's own order records."""

    @abstractmethod
    def add_if_absent(self, order: KitchenOrder) -> bool:
        """Store the order unless one with its id exists; True when this call stored it."""

    @abstractmethod
    def mark_alerted(self, alert: DeliveryAlert, at: datetime) -> AlertOutcome:
        """Flag the order as due soon, once: a repeat is ALREADY_RAISED and changes nothing."""


class Acknowledgements(ABC):
    """The reply channels back to whoever placed the order: a reply queue, or a saga's callback."""

    @abstractmethod
    def acknowledge(self, order_id: str, reply_to: str) -> None:
        """Tell ``reply_to`` that the kitchen has the order."""

    @abstractmethod
    def answer(self, callback_id: str, order_id: str, acknowledged_at: datetime) -> bool:
        """Complete the saga's callback: the kitchen has the order. False if it was closed already."""

    @abstractmethod
    def refuse(self, callback_id: str, reason: str) -> bool:
        """Fail the saga's callback with the kitchen's reason. False if it was closed already."""
