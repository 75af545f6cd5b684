"""Stock and reservations: what the inventory promises an order, and takes back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

# A pizza's stock before anything was reserved or restocked; a setting (INITIAL_STOCK) per deployment.
DEFAULT_INITIAL_STOCK = 1000


@dataclass(frozen=True)
class StockLine:
    pizza: str
    quantity: int


class OutOfStock(Exception):
    """Not enough of a pizza to reserve: an expected answer, not a fault."""

    def __init__(self, pizza: str) -> None:
        super().__init__(f"out of stock: {pizza}")
        self.pizza = pizza


class ReservationOutcome(StrEnum):
    RESERVED = "RESERVED"
    # The order's reservation was made before (a replayed step): no stock changed this time.
    ALREADY_RESERVED = "ALREADY_RESERVED"


class ReleaseOutcome(StrEnum):
    RELEASED = "RELEASED"
    ALREADY_RELEASED = "ALREADY_RELEASED"
    NOTHING_RESERVED = "NOTHING_RESERVED"


def combined(lines: Iterable[StockLine]) -> dict[str, int]:
    """Quantity per pizza, an order naming one pizza on several lines counted together."""
    totals: dict[str, int] = {}
    for line in lines:
        if line.quantity < 1:
            raise ValueError(f"a reservation needs a quantity of at least 1 ({line.pizza})")
        totals[line.pizza] = totals.get(line.pizza, 0) + line.quantity
    if not totals:
        raise ValueError("a reservation needs at least one line")
    return totals
