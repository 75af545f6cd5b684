"""What the analytics use cases need from the outside world."""

from __future__ import annotations

from abc import ABC, abstractmethod

from analytics_service.domain.pizza_counts import CountedOrder, PizzaCount


class PizzaCounts(ABC):
    """Running totals per pizza."""

    @abstractmethod
    def count_order(self, order: CountedOrder) -> None:
        """Add one order, and its quantities, to the count of each pizza in it, all or nothing.

        Not idempotent by itself: the inbox runs it at most once per event.
        """

    @abstractmethod
    def counts(self) -> dict[str, PizzaCount]:
        """Every pizza's totals so far, by pizza name."""
