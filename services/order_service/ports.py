"""What the order service's use cases need from the outside world."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

from order_service.domain.events import OrderEvent
from order_service.domain.order import Order


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
    def save_acknowledged(self, order: Order, events: Sequence[OrderEvent]) -> bool:
        """Store ``order`` (now ACKNOWLEDGED) and its events, if the stored one is still ACCEPTED.

        False when it no longer is (a concurrent acknowledgement won): then nothing is written.
        """
