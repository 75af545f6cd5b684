"""Pizza popularity: in how many orders each pizza appears, and how many were ordered."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class OrderLine:
    pizza: str
    quantity: int


@dataclass(frozen=True)
class CountOrder:
    """Command: count this confirmed order's pizzas."""

    order_id: str
    lines: tuple[OrderLine, ...]


@dataclass(frozen=True)
class PizzaInOrder:
    pizza: str
    quantity: int  # of this pizza across all the order's lines


@dataclass(frozen=True)
class CountedOrder:
    """One order's contribution to the counts: each distinct pizza once, with its total quantity."""

    order_id: str
    pizzas: tuple[PizzaInOrder, ...]


class CountOutcome(Enum):
    COUNTED = "counted"
    ALREADY_COUNTED = "already_counted"  # another event about the same order was counted first


@dataclass(frozen=True)
class PizzaCount:
    orders: int  # orders that included the pizza
    pizzas: int  # pizzas of that kind ordered


def counted(command: CountOrder) -> CountedOrder:
    """Merge lines of the same pizza, so an order counts once per pizza however its lines are split."""
    quantities: dict[str, int] = {}
    for line in command.lines:
        quantities[line.pizza] = quantities.get(line.pizza, 0) + line.quantity
    return CountedOrder(command.order_id, tuple(PizzaInOrder(p, q) for p, q in quantities.items()))
