"""What the inventory's use cases need from the outside world."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping

from inventory_service.domain import ReleaseOutcome, ReservationOutcome


class StockLedger(ABC):
    """Stock per pizza, and each order's reservation of it."""

    @abstractmethod
    def reserve(self, order_id: str, quantities: Mapping[str, int]) -> ReservationOutcome:
        """Take ``quantities`` out of stock for the order, all or none, once per order.

        Raises OutOfStock naming a pizza short of stock (then nothing changes). A second call for
        the same order is ALREADY_RESERVED and changes no stock.
        """

    @abstractmethod
    def release(self, order_id: str) -> ReleaseOutcome:
        """Put the order's reserved quantities back, exactly once."""

    @abstractmethod
    def levels(self, pizzas: Iterable[str]) -> dict[str, int]:
        """The stock of each pizza (a pizza never touched has the initial stock)."""

    @abstractmethod
    def top_up(self, pizza: str, level: int) -> tuple[int, int]:
        """Raise the pizza's stock to at least ``level``; its stock (before, after)."""
