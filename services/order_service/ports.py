"""What the order service's use cases need from the outside world."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime

from order_service.domain.acknowledgement import AcknowledgementOutcome
from order_service.domain.order import Order


class OrderRepository(ABC):
    """Where orders are kept."""

    @abstractmethod
    def add(self, order: Order) -> None:
        """Store a new order."""

    @abstractmethod
    def remove_unsent(self, order_id: str) -> None:
        """Delete an order that never reached the kitchen (still ACCEPTED); anything else is kept."""

    @abstractmethod
    def get(self, order_id: str) -> Order | None:
        """The order, or None when there is no such order."""

    @abstractmethod
    def mark_acknowledged(self, order_id: str, at: datetime) -> AcknowledgementOutcome:
        """Move an ACCEPTED order to ACKNOWLEDGED, atomically; a repeat changes nothing."""


class KitchenGateway(ABC):
    """The channel to the kitchen."""

    @abstractmethod
    def request_preparation(self, order: Order) -> None:
        """Ask the kitchen to prepare the order; the kitchen replies asynchronously."""


class OrderEvents(ABC):
    """How the rest of the restaurant hears about orders."""

    @abstractmethod
    def order_confirmed(self, order: Order) -> None:
        """Announce that the kitchen has confirmed ``order``; repeat calls announce the same event."""


class KitchenAlerts(ABC):
    """Reminders for the kitchen that arrive at a set time."""

    @abstractmethod
    def alert_at(self, order: Order, at: datetime) -> None:
        """Have the kitchen alerted about ``order`` at ``at``, once, however often this is called."""
