"""The loyalty use cases: pure functions over ports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from loyalty_service.domain import AwardOutcome, AwardPoints, award_for
from loyalty_service.ports import LoyaltyAccounts


@dataclass(frozen=True)
class AwardResult:
    order_id: str
    points: int
    outcome: AwardOutcome


def award_points(command: AwardPoints, accounts: LoyaltyAccounts, now: Callable[[], datetime]) -> AwardResult:
    """Award the order's points once; a repeat for the same order changes no balance."""
    award = award_for(command, now())
    return AwardResult(command.order_id, award.points, accounts.award(award))
