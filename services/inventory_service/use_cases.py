"""The inventory's use cases: pure functions over its port."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from inventory_service.domain import ReleaseOutcome, ReservationOutcome, StockLine, combined
from inventory_service.ports import StockLedger


def reserve_stock(order_id: str, lines: Sequence[StockLine], stock: StockLedger) -> ReservationOutcome:
    """Reserve what the order needs, all or nothing (OutOfStock names the pizza short); once per order."""
    return stock.reserve(order_id, combined(lines))


def release_stock(order_id: str, stock: StockLedger) -> ReleaseOutcome:
    """Give the order's reservation back to stock, once; an order that reserved nothing releases nothing."""
    return stock.release(order_id)


def stock_levels(pizzas: Iterable[str], stock: StockLedger) -> dict[str, int]:
    return stock.levels(pizzas)


def restock(pizzas: Iterable[str], level: int, stock: StockLedger) -> dict[str, tuple[int, int]]:
    """Top each pizza up to at least ``level``; each pizza's stock before and after."""
    if level < 0:
        raise ValueError("a stock level is 0 or more")
    return {pizza: stock.top_up(pizza, level) for pizza in pizzas}
