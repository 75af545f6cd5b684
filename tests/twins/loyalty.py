"""In-memory twins of the adapters, for unit tests of the use cases."""

from __future__ import annotations

from collections import defaultdict

from loyalty_service.domain import AwardOutcome, PointsAward
from loyalty_service.ports import LoyaltyAccounts


class InMemoryLoyaltyAccounts(LoyaltyAccounts):
    def __init__(self) -> None:
        self.awards: dict[str, PointsAward] = {}
        self.balances: defaultdict[str, int] = defaultdict(int)

    def award(self, award: PointsAward) -> AwardOutcome:
        if award.order_id in self.awards:
            return AwardOutcome.ALREADY_AWARDED
        self.awards[award.order_id] = award
        self.balances[award.customer_id] += award.points
        return AwardOutcome.AWARDED

    def balance(self, customer_id: str) -> int:
        return self.balances.get(customer_id, 0)
