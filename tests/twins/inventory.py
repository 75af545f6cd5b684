"""In-memory twin of the inventory's port, for unit tests of the use cases and the saga."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from inventory_service.domain import OutOfStock, ReleaseOutcome, ReservationOutcome
from inventory_service.ports import StockLedger


class InMemoryStockLedger(StockLedger):
    def __init__(self, initial_stock: int = 1000, stock: Mapping[str, int] | None = None) -> None:
        self.initial_stock = initial_stock
        self.stock: dict[str, int] = dict(stock or {})
        # orderId -> (quantities, released?)
        self.reservations: dict[str, tuple[dict[str, int], bool]] = {}

    def reserve(self, order_id: str, quantities: Mapping[str, int]) -> ReservationOutcome:
        if order_id in self.reservations:
            return ReservationOutcome.ALREADY_RESERVED
        for pizza, quantity in quantities.items():
            if self._level(pizza) < quantity:
                raise OutOfStock(pizza)
        for pizza, quantity in quantities.items():
            self.stock[pizza] = self._level(pizza) - quantity
        self.reservations[order_id] = (dict(quantities), False)
        return ReservationOutcome.RESERVED

    def release(self, order_id: str) -> ReleaseOutcome:
        if order_id not in self.reservations:
            return ReleaseOutcome.NOTHING_RESERVED
        quantities, released = self.reservations[order_id]
        if released:
            return ReleaseOutcome.ALREADY_RELEASED
        for pizza, quantity in quantities.items():
            self.stock[pizza] = self._level(pizza) + quantity
        self.reservations[order_id] = (quantities, True)
        return ReleaseOutcome.RELEASED

    def levels(self, pizzas: Iterable[str]) -> dict[str, int]:
        return {pizza: self._level(pizza) for pizza in pizzas}

    def top_up(self, pizza: str, level: int) -> tuple[int, int]:
        before = self._level(pizza)
        self.stock[pizza] = max(before, level)
        return before, self.stock[pizza]

    def _level(self, pizza: str) -> int:
        return self.stock.get(pizza, self.initial_stock)
