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
    """The reply channel back to whoever placed the order."""

    @abstractmethod
    def acknowledge(self, order_id: str, reply_to: str) -> None:
        """Tell ``reply_to`` that the kitchen has the order."""
