"""What the loyalty use cases need from the outside world."""

from __future__ import annotations

from abc import ABC, abstractmethod

from loyalty_service.domain import AwardOutcome, PointsAward


class LoyaltyAccounts(ABC):
    """Customers' points balances, and the awards that made them."""

    @abstractmethod
    def award(self, award: PointsAward) -> AwardOutcome:
        """Add the award's points to its customer, unless its order was awarded already.

        Recording the award and adding its points happen together or not at all, so a crash, a
        redelivery or a second event about the same order can neither lose nor double the points.
        """

    @abstractmethod
    def balance(self, customer_id: str) -> int:
        """The customer's points; 0 for a customer who has none yet."""
