"""In-memory twins of the adapters, for unit tests of the use cases."""

from __future__ import annotations

from analytics_service.domain import CountedOrder, CountOutcome, PizzaCount
from analytics_service.ports import PizzaCounts
from integration_patterns.dynamodb_writes import MAX_TRANSACTION_ACTIONS
from integration_patterns.errors import InvalidMessage

# As the DynamoDB adapter: an order is counted in one transaction, its marker and one action per pizza.
MAX_PIZZAS_PER_ORDER = MAX_TRANSACTION_ACTIONS - 1


class InMemoryPizzaCounts(PizzaCounts):
    def __init__(self) -> None:
        self._counts: dict[str, PizzaCount] = {}
        self.counted_orders: set[str] = set()

    def count_once(self, order: CountedOrder) -> CountOutcome:
        if len(order.pizzas) > MAX_PIZZAS_PER_ORDER:
            raise InvalidMessage(
                f"order {order.order_id} has {len(order.pizzas)} different pizzas;"
                f" analytics counts at most {MAX_PIZZAS_PER_ORDER} per order"
            )
        if order.order_id in self.counted_orders:
            return CountOutcome.ALREADY_COUNTED
        self.counted_orders.add(order.order_id)
        for item in order.pizzas:
            so_far = self._counts.get(item.pizza, PizzaCount(0, 0))
            self._counts[item.pizza] = PizzaCount(so_far.orders + 1, so_far.pizzas + item.quantity)
        return CountOutcome.COUNTED

    def counts(self) -> dict[str, PizzaCount]:
        return dict(self._counts)
