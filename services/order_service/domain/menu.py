"""The menu: what can be ordered, and what it costs, in minor units (cents) so totals are exact."""

from __future__ import annotations

from dataclasses import dataclass

HOUSE_CURRENCY = "EUR"


@dataclass(frozen=True)
class Money:
    currency: str
    minor_units: int

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.currency, self.minor_units + other.minor_units)

    def times(self, quantity: int) -> Money:
        return Money(self.currency, self.minor_units * quantity)

    def decimal_text(self) -> str:
        """``23.50`` for 2350 cents: the exact amount as a string, never a binary float."""
        return f"{self.minor_units // 100}.{self.minor_units % 100:02d}"


NO_CHARGE = Money(HOUSE_CURRENCY, 0)

# The menu: every pizza that can be ordered, and its price. Names are exact ("Margherita", not
# "margherita"); a pizza not listed here cannot be ordered.
_PRICES_IN_CENTS = {
    "Margherita": 850,
    "Marinara": 750,
    "Diavola": 1100,
    "Quattro Formaggi": 1150,
    "Capricciosa": 1200,
    "Calzone": 1100,
    # The demo fault: the kitchen's oven cannot make this one (UNCOOKABLE_PIZZA in infra/system.yaml),
    # so ordering it shows a poison message, the DLQ and a redrive. It is on the menu so that it can
    # be ordered at all.
    "Doomed Calzone": 1100,
}


class NotOnTheMenu(ValueError):
    """The pizza is not on the menu, so it cannot be ordered or priced."""


def menu() -> tuple[str, ...]:
    """The names of the pizzas on the menu, in the menu's order."""
    return tuple(_PRICES_IN_CENTS)


def is_on_the_menu(pizza: str) -> bool:
    return pizza in _PRICES_IN_CENTS


def price_of(pizza: str) -> Money:
    """The menu price of ``pizza``; :class:`NotOnTheMenu` if it is not on the menu."""
    if pizza not in _PRICES_IN_CENTS:
        raise NotOnTheMenu("a pizza that is not on the menu cannot be priced")
    return Money(HOUSE_CURRENCY, _PRICES_IN_CENTS[pizza])
