"""What a load run needs of the stack: a way to place orders, to read their states, to count their effects."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence

from pizza_ops.load.plan import PlannedOrder
from pizza_ops.load.results import OrderState, PlaceAnswer


class OrderPlacer(ABC):
    """Places orders: POST /orders, many in flight at once."""

    @abstractmethod
    async def place(self, order: PlannedOrder) -> PlaceAnswer:
        """Send one order; the answer, or why none came (never raises for a failed request)."""


class OrderStates(ABC):
    """Reads orders as the order service stored them."""

    @abstractmethod
    def read(self, order_ids: Collection[str]) -> Mapping[str, OrderState]:
        """The stored state of each of ``order_ids`` found (those not found are left out)."""

    @abstractmethod
    def orders_by_customer(self, customer_prefix: str) -> Mapping[str, Sequence[str]]:
        """The ids of the orders stored for each customer whose id begins with ``customer_prefix``."""


class EffectCounter(ABC):
    """Counts what the services did for the orders of a run, in their own data."""

    @abstractmethod
    def count(self, orders: Sequence[tuple[str, PlannedOrder]]) -> Mapping[str, Mapping[str, int]]:
        """For each (order id, order) given: effect → how many records of it exist."""
