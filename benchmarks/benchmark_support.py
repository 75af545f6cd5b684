"""What the benchmarks share: the embedded stack, a trickle of orders, waiting on spans, the figures table."""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

import httpx

from pizza_ops.stack import EmbeddedStack, EmbeddedStackConfig

T = TypeVar("T")


def orders_argument(description: str | None) -> int:
    """The ``--orders N`` option every benchmark takes (default 30)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=30)
    return int(parser.parse_args().orders)


def embedded_stack(extra_environment: dict[str, dict[str, str]] | None = None) -> EmbeddedStack:
    """A fresh embedded stack (MiniStack + OTLP receiver) on free ports, its state in a temporary
    directory; ``extra_environment`` changes functions' settings (by logical name)."""
    config = EmbeddedStackConfig(
        state_dir=Path(tempfile.mkdtemp()), emulator_port=0, otlp_port=0, extra_environment=extra_environment or {}
    )
    return EmbeddedStack(config)


def orders_url(stack: EmbeddedStack) -> str:
    assert stack.outputs is not None
    return stack.outputs.api_urls["orders"]


# One order every 0.3 s, whatever the API's latency: the same load for every version measured, so
# a faster API cannot raise the arrival rate and with it the queueing on the emulator's one poll
# thread (which runs every queue- and stream-triggered invocation, one at a time).
ORDER_PERIOD_SECONDS = 0.3


def place_orders(http: httpx.Client, api: str, count: int) -> list[dict[str, str]]:
    """Place ``count`` collection orders at a fixed rate; returns the API's 202 bodies."""
    placed = []
    start = time.monotonic()
    for index in range(count):
        time.sleep(max(0.0, start + index * ORDER_PERIOD_SECONDS - time.monotonic()))
        body = {
            "customerId": f"bench-{index}",
            "orderType": "collection",
            "items": [{"pizza": "Margherita", "quantity": 1}],
        }
        placed.append(http.post(f"{api}/orders", json=body).json())
    return placed


def poll_until(measure: Callable[[], T], enough: Callable[[T], bool], timeout: float = 120) -> T:
    """Measure again every second until ``enough`` holds or ``timeout`` passes; the last measurement.

    A Lambda exports its spans after its handler returns, so they arrive after the effects.
    """
    deadline = time.monotonic() + timeout
    result = measure()
    while not enough(result) and time.monotonic() < deadline:
        time.sleep(1)
        result = measure()
    return result


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def print_figures(rows: Mapping[str, list[float]], label: str = "", count: str = "n") -> None:
    """One line per row: how many values, median, p50, p99, min and max in ms. Empty rows are left out."""
    width = max([len(label), *map(len, rows)]) + 2
    print(f"{label:<{width}}{count:>8}{'median ms':>12}{'p50 ms':>10}{'p99 ms':>10}{'min ms':>10}{'max ms':>10}")
    for name, values in rows.items():
        if values:
            print(
                f"{name:<{width}}{len(values):>8}{statistics.median(values):>12.1f}{percentile(values, 0.5):>10.1f}"
                f"{percentile(values, 0.99):>10.1f}{min(values):>10.1f}{max(values):>10.1f}"
            )
