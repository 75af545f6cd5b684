"""What the order service's use cases need from the outside world."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from order_service.domain.events import OrderEvent
from order_service.domain.order import Order, OrderStatus


class OrderRepository(ABC):
    """Where orders are kept, together with the events their changes announce (the outbox).

    Each write stores the change and its events at once: both or neither. The events are sent
    afterwards, at least once, by the outbox relay.
    """

    @abstractmethod
    def add(self, order: Order, events: Sequence[OrderEvent]) -> None:
        """Store a new order and the events announcing it; OrderAlreadyExists if its id is taken."""

    @abstractmethod
    def get(self, order_id: str) -> Order | None:
        """The order, or None when there is no such order."""

    @abstractmethod
    def save_change(self, order: Order, expected: OrderStatus, events: Sequence[OrderEvent]) -> bool:
        """Store ``order``'s new status, history, failure reason and acknowledgement time, and its
        events, if the stored order is still in ``expected``.

        False when it no longer is (a concurrent change won): then nothing is written.
        """

    @abstractmethod
    def claim(self, order_id: str, workflow_id: str) -> bool:
        """Make ``workflow_id`` the one workflow that moves the order; True if it is (now or already).

        False when another workflow has it: a second execution started for the same order.
        """


class OrderWorkflow(ABC):
    """What takes a placed order on: the choreographed chain of events, or the orchestrated saga."""

    @abstractmethod
    def events_on_placing(self, order: Order) -> Sequence[OrderEvent]:
        """The events stored with the new order (sent by the outbox relay)."""

    @abstractmethod
    def start(self, order: Order) -> None:
        """Start the workflow for the stored order; starting it again for the same order is harmless."""


class KitchenRequests(ABC):
    """The saga's request to the kitchen, answered through a durable callback."""

    @abstractmethod
    def ask_to_prepare(self, order: Order, callback_id: str) -> None:
        """Ask the kitchen to prepare ``order`` and to answer ``callback_id``."""
