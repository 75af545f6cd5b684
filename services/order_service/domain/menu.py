"""What the restaurant charges: prices in minor units (cents), so totals are exact."""

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

_PRICES_IN_CENTS = {
    "Margherita": 850,
    "Marinara": 750,
    "Diavola": 1100,
    "Quattro Formaggi": 1150,
    "Capricciosa": 1200,
    "Calzone": 1100,
}
# The kitchen bakes any pizza it is asked for; ones not on the menu cost the house price.
_HOUSE_PRICE_IN_CENTS = 1000


def price_of(pizza: str) -> Money:
    return Money(HOUSE_CURRENCY, _PRICES_IN_CENTS.get(pizza, _HOUSE_PRICE_IN_CENTS))
