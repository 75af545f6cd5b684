"""The inventory's use cases: what a reservation asks for, all or nothing, and restocking."""

from __future__ import annotations

import pytest

from inventory_service.domain import OutOfStock, StockLine
from inventory_service.use_cases import reserve_stock, restock
from twins.inventory import InMemoryStockLedger


def test_lines_of_the_same_pizza_are_reserved_together() -> None:
    # Given 5 Margheritas in stock, and an order naming Margherita on two lines (3 + 3)
    stock = InMemoryStockLedger(initial_stock=5)

    # When it is reserved / Then 6 are asked for at once, and it is out of stock: nothing taken
    with pytest.raises(OutOfStock, match="out of stock: Margherita"):
        reserve_stock("order-1", [StockLine("Margherita", 3), StockLine("Margherita", 3)], stock)
    assert stock.levels(["Margherita"]) == {"Margherita": 5}


@pytest.mark.parametrize("lines", [[], [StockLine("Margherita", 0)]])
def test_a_reservation_needs_a_line_of_at_least_one(lines: list[StockLine]) -> None:
    # Given no line, or a line of zero / When reserved / Then refused before any stock moves
    with pytest.raises(ValueError, match="at least"):
        reserve_stock("order-1", lines, InMemoryStockLedger())


def test_restock_tops_up_each_pizza_and_refuses_a_negative_level() -> None:
    # Given Diavola down to 2 / When every pizza is topped up to 10
    stock = InMemoryStockLedger(initial_stock=20, stock={"Diavola": 2})
    levels = restock(["Diavola", "Marinara"], 10, stock)

    # Then Diavola rose to 10 and Marinara (20) was left alone; a negative level is refused
    assert levels == {"Diavola": (2, 10), "Marinara": (20, 20)}
    with pytest.raises(ValueError, match="0 or more"):
        restock(["Diavola"], -1, stock)
