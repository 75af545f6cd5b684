"""What the analytics use cases need from the outside world."""

from __future__ import annotations

from abc import ABC, abstractmethod

from analytics_service.domain import CountedOrder, CountOutcome, PizzaCount


class PizzaCounts(ABC):
    """Running totals per pizza, and which orders they include."""

    @abstractmethod
    def count_once(self, order: CountedOrder) -> CountOutcome:
        """Add the order, and its quantities, to the count of each pizza in it, unless it was counted already.

        Once per order, not per event: two different events about the same order (a double click,
        a retried call) count it once. Marking the order counted and adding to the counts happen
        together or not at all.
        """

    @abstractmethod
    def counts(self) -> dict[str, PizzaCount]:
        """Every pizza's totals so far, by pizza name."""
