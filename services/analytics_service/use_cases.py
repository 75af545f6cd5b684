"""The analytics use cases: pure functions over ports."""

from __future__ import annotations

from dataclasses import dataclass

from analytics_service.domain import CountedOrder, CountOrder, CountOutcome, counted
from analytics_service.ports import PizzaCounts


@dataclass(frozen=True)
class CountResult:
    order: CountedOrder
    outcome: CountOutcome


def count_order(command: CountOrder, counts: PizzaCounts) -> CountResult:
    """Add the order to the totals of each distinct pizza in it, once per order."""
    order = counted(command)
    return CountResult(order, counts.count_once(order))
