"""Unit prices, read from the data file beside this module (one place, with the date they were checked)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PRICES_FILE = Path(__file__).with_name("prices-us-east-1.toml")


@dataclass(frozen=True)
class UnitPrice:
    """`price` USD for `per` units of `unit`, as published on `source`."""

    label: str
    price: float
    per: float
    unit: str
    source: str
    note: str = ""

    @property
    def per_unit(self) -> float:
        return self.price / self.per

    def describe(self) -> str:
        """The price as the page puts it, e.g. `$0.20 per 1M request`."""
        return f"${_plain(self.price)} per {_count(self.per)} {self.unit}"


@dataclass(frozen=True)
class PriceBook:
    """Every priced item by key (`lambda.requests`), with where and when the prices were taken."""

    region: str
    checked: str
    how: str
    items: dict[str, UnitPrice]

    def __getitem__(self, key: str) -> UnitPrice:
        return self.items[key]


def load_prices(path: Path = PRICES_FILE) -> PriceBook:
    """The price book in `path` (TOML: region, checked, how, and [items."<key>"] tables)."""
    with path.open("rb") as handle:
        document: dict[str, Any] = tomllib.load(handle)
    items = {key: UnitPrice(**fields) for key, fields in document["items"].items()}
    return PriceBook(region=document["region"], checked=document["checked"], how=document["how"], items=items)


def _count(per: float) -> str:
    if per >= 1_000_000 and per % 1_000_000 == 0:
        return f"{per / 1_000_000:g}M"
    if per >= 1_000 and per % 1_000 == 0:
        return f"{per / 1_000:g}K"
    return f"{per:g}"


def _plain(price: float) -> str:
    # 0.0000166667 rather than 1.66667e-05: as the price pages write it.
    whole, _, fraction = f"{price:.10f}".partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"
