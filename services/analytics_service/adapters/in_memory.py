"""In-memory twins of the adapters, for unit tests of the use cases."""

from __future__ import annotations

from analytics_service.domain.pizza_counts import CountedOrder, PizzaCount
from analytics_service.ports import PizzaCounts


class InMemoryPizzaCounts(PizzaCounts):
    def __init__(self) -> None:
        self._counts: dict[str, PizzaCount] = {}

    def count_order(self, order: CountedOrder) -> None:
        for item in order.pizzas:
            so_far = self._counts.get(item.pizza, PizzaCount(0, 0))
            self._counts[item.pizza] = PizzaCount(so_far.orders + 1, so_far.pizzas + item.quantity)

    def counts(self) -> dict[str, PizzaCount]:
        return dict(self._counts)
