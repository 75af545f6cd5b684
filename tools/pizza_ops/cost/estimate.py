"""The bill: usage per order priced, times a number of orders, beside the declaration's monthly items."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pizza_ops.cost.prices import PriceBook, UnitPrice
from pizza_ops.cost.usage import UNPRICED, Usage

if TYPE_CHECKING:
    from pizza_ops.system import SystemDeclaration

# Assumed: an idle SQS event source mapping keeps about 5 pollers long-polling (20 s), so about
# 15 empty ReceiveMessage calls a minute per queue, whatever the traffic.
IDLE_RECEIVES_PER_QUEUE_MONTH = 5 * 3 * 60 * 24 * 30
LEFT_OUT = (
    "Left out: free tiers; CloudWatch Logs ingestion and custom metrics (volume not in the spans);"
    " WebSocket connection minutes (how long customers watch is not in the spans); DynamoDB and S3"
    " storage other than claim checks; data transfer."
)


@dataclass(frozen=True)
class CostLine:
    """One line of the bill: units per order of a priced item (price None: no price applies)."""

    label: str
    detail: str
    units_per_order: float
    price: UnitPrice | None

    @property
    def cost_per_order(self) -> float:
        return self.units_per_order * self.price.per_unit if self.price is not None else 0.0


@dataclass(frozen=True)
class MonthlyItem:
    """A cost the declaration incurs every month, whatever the number of orders."""

    label: str
    detail: str
    units: float
    price: UnitPrice

    @property
    def cost(self) -> float:
        return self.units * self.price.per_unit


@dataclass(frozen=True)
class CostEstimate:
    """What `orders` orders of `workflow` cost, from the mean usage of `sampled` real orders."""

    orders: int
    workflow: str
    sampled: int
    lines: tuple[CostLine, ...]
    monthly: tuple[MonthlyItem, ...]
    prices: PriceBook

    def cost_of(self, line: CostLine) -> float:
        return line.cost_per_order * self.orders

    @property
    def total(self) -> float:
        return sum(self.cost_of(line) for line in self.lines)

    @property
    def monthly_total(self) -> float:
        return sum(item.cost for item in self.monthly)


def estimate(
    usage: Sequence[Usage], prices: PriceBook, system: SystemDeclaration, orders: int, workflow: str, sampled: int
) -> CostEstimate:
    """Price `usage` (units per order) for `orders` orders; unknown items become unpriced lines."""
    order = {key: index for index, key in enumerate(prices.items)}
    ranked = sorted(usage, key=lambda use: (order.get(use.item, len(order)), use.detail))
    lines = tuple(
        CostLine(
            prices.items[use.item].label if use.item in prices.items else "Unpriced AWS call",
            use.detail,
            use.units,
            None if use.item == UNPRICED else prices.items.get(use.item),
        )
        for use in ranked
    )
    return CostEstimate(orders, workflow, sampled, lines, monthly_items(system, prices), prices)


def monthly_items(system: SystemDeclaration, prices: PriceBook) -> tuple[MonthlyItem, ...]:
    """The declaration's fixed costs: its KMS keys, its alarms, its SQS triggers' idle polling.

    Serverless otherwise: tables on demand, topics, buses, schedules, APIs and functions cost
    nothing while no order comes.
    """
    alarms = (
        sum(1 for queue in system.queues.values() if queue.alarm_oldest_message_age_seconds is not None)
        + sum(1 for threshold in system.iterator_age_alarms().values() if threshold is not None)
        + sum(1 for f in system.functions.values() if f.durable is not None and f.durable.alarm_metric)
    )
    queues = {trigger.queue for trigger in system.triggers}
    fifo = {queue for queue in queues if system.queues[queue].fifo}
    items = [
        MonthlyItem(prices["kms.keys"].label, ", ".join(system.kms_keys), len(system.kms_keys), prices["kms.keys"]),
        MonthlyItem(prices["cloudwatch.alarms"].label, "as declared", alarms, prices["cloudwatch.alarms"]),
        MonthlyItem(
            prices["sqs.requests"].label,
            f"idle polling of {len(queues - fifo)} triggered queues (about)",
            len(queues - fifo) * IDLE_RECEIVES_PER_QUEUE_MONTH,
            prices["sqs.requests"],
        ),
    ]
    if fifo:
        items.append(
            MonthlyItem(
                prices["sqs.fifo_requests"].label,
                f"idle polling of {len(fifo)} triggered FIFO queues (about)",
                len(fifo) * IDLE_RECEIVES_PER_QUEUE_MONTH,
                prices["sqs.fifo_requests"],
            )
        )
    return tuple(item for item in items if item.units)


def render_estimate(estimate: CostEstimate) -> str:
    """The bill as a table, its total, the monthly items, and where the prices come from."""
    count = f"{estimate.orders:,}"
    header = ["ITEM", "DETAIL", "UNITS/ORDER", "UNIT PRICE", "PER ORDER", f"{count} ORDERS"]
    rows = [
        [
            line.label,
            line.detail,
            f"{line.units_per_order:.4g}",
            line.price.describe() if line.price is not None else "-",
            _small(line.cost_per_order),
            _money(estimate.cost_of(line)),
        ]
        for line in estimate.lines
    ]
    total_per_order = sum(line.cost_per_order for line in estimate.lines)
    rows.append(["TOTAL", "", "", "", _small(total_per_order), _money(estimate.total)])
    monthly = [
        [
            item.label,
            item.detail,
            f"{item.units:,.0f}" if item.units >= 100 else f"{item.units:.4g}",
            item.price.describe(),
            _money(item.cost),
        ]
        for item in estimate.monthly
    ]
    monthly.append(["TOTAL", "", "", "", _money(estimate.monthly_total)])
    unpriced = [line.detail for line in estimate.lines if line.price is None]
    notes = [
        f"{count} orders, workflow {estimate.workflow}: the mean of {estimate.sampled} real orders' spans.",
        f"Prices: {estimate.prices.region}, checked {estimate.prices.checked}, {estimate.prices.how}.",
        LEFT_OUT,
    ]
    if unpriced:
        notes.append(f"No price applied to: {', '.join(unpriced)}.")
    return "\n".join(
        [
            _table(header, rows),
            "",
            "Fixed monthly items from infra/system.yaml (whatever the number of orders):",
            _table(["ITEM", "DETAIL", "UNITS/MONTH", "UNIT PRICE", "PER MONTH"], monthly),
            "",
            *notes,
        ]
    )


def estimate_as_json(estimate: CostEstimate) -> str:
    """The bill as JSON: lines with their units, unit price and costs, the totals, the monthly items."""
    document: dict[str, Any] = {
        "orders": estimate.orders,
        "workflow": estimate.workflow,
        "sampled_orders": estimate.sampled,
        "prices_checked": estimate.prices.checked,
        "lines": [
            {
                "item": line.label,
                "detail": line.detail,
                "units_per_order": line.units_per_order,
                "unit_price": line.price.per_unit if line.price is not None else None,
                "cost_per_order": line.cost_per_order,
                "cost": estimate.cost_of(line),
            }
            for line in estimate.lines
        ],
        "total": estimate.total,
        "monthly": [
            {"item": item.label, "detail": item.detail, "units": item.units, "cost": item.cost}
            for item in estimate.monthly
        ],
        "monthly_total": estimate.monthly_total,
    }
    return json.dumps(document, indent=2)


def _table(header: list[str], rows: list[list[str]]) -> str:
    numeric = range(2, len(header))
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.rjust(width) if column in numeric else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in [header, *rows]
    )


def _money(amount: float) -> str:
    return f"${amount:,.2f}"


def _small(amount: float) -> str:
    return f"${amount:.8f}"
