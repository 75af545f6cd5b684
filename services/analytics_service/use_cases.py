"""The analytics use cases: pure functions over ports."""

from __future__ import annotations

from analytics_service.domain.pizza_counts import CountedOrder, CountOrder, counted
from analytics_service.ports import PizzaCounts


def count_order(command: CountOrder, counts: PizzaCounts) -> CountedOrder:
    """Add the order to the totals of each distinct pizza in it."""
    order = counted(command)
    counts.count_order(order)
    return order
