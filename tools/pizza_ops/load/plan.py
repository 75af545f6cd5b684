"""What a load run sends: a fixed rate for a fixed time, each order its own customer and Idempotency-Key."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

Workflow = Literal["saga", "choreography"]

# Pizzas every workflow can take to its end: the menu less the declared demo fault ("Doomed
# Calzone", infra/system.yaml's UNCOOKABLE_PIZZA), which the kitchen refuses by design.
LOAD_PIZZAS = ("Margherita", "Marinara", "Diavola", "Quattro Formaggi", "Capricciosa", "Calzone")
DELIVERY_ADDRESS = {"line1": "1 Load Street", "city": "Naples", "postcode": "80100"}
MAX_RATE = 1000.0
MAX_DURATION_SECONDS = 86_400.0


class BadPlan(ValueError):
    """A load plan that cannot be run (a rate or duration out of range)."""


@dataclass(frozen=True)
class LoadPlan:
    """A run: ``rate`` orders per second for ``duration`` seconds, then up to ``drain_timeout`` seconds
    for every accepted order to reach a final status (and its effects to show).

    ``delivery_share``: the fraction of delivery orders (the rest are collection orders), spread
    evenly; ``connections``: the most HTTP connections open at once.
    """

    rate: float
    duration: float
    workflow: Workflow
    drain_timeout: float = 120.0
    effects_timeout: float = 30.0
    delivery_share: float = 0.5
    connections: int = 64
    # GET /menu requests sent all at once before the first order: each needs an environment of the
    # orders API, so that many are initialized before the load (on AWS, what provisioned
    # concurrency keeps ready). On an emulator sharing two cores with the load, a burst of cold
    # starts otherwise slows the warm environments, which makes more requests overlap and start
    # more environments (MiniStack spawned 64 for 10 orders/s here).
    warm_api: int = 0
    request_timeout: float = 30.0
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    # What each order holds, in turn: order ``seq`` gets ``pizzas[seq % len(pizzas)]``.
    pizzas: tuple[str, ...] = LOAD_PIZZAS
    # Where each order's status changes are POSTed, in turn: order ``seq`` gets
    # ``callback_urls[seq % len(callback_urls)]/seq`` (none when empty).
    callback_urls: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not (math.isfinite(self.rate) and 0 < self.rate <= MAX_RATE):
            raise BadPlan(f"--rate must be more than 0 and at most {MAX_RATE:g} orders per second, not {self.rate:g}")
        if not (math.isfinite(self.duration) and 0 < self.duration <= MAX_DURATION_SECONDS):
            limit = f"{MAX_DURATION_SECONDS:g}"
            raise BadPlan(f"--duration must be more than 0 and at most {limit} seconds, not {self.duration:g}")
        if self.order_count == 0:
            raise BadPlan(f"{self.rate:g}/s for {self.duration:g} s sends no order; raise the rate or the duration")
        if not 0 <= self.delivery_share <= 1:
            raise BadPlan(f"the share of delivery orders is from 0 to 1, not {self.delivery_share:g}")
        if self.connections < 1 or self.drain_timeout < 0 or self.effects_timeout < 0:
            raise BadPlan("connections must be at least 1, and timeouts 0 or more")
        if not self.pizzas:
            raise BadPlan("a run needs at least one pizza to order")
        if not 0 <= self.warm_api <= self.connections:
            raise BadPlan(f"--warm-api is from 0 to the connections ({self.connections}), not {self.warm_api}")

    @property
    def order_count(self) -> int:
        # A hair under, so 5/s for 3 s is 15 orders even where 5 * 3 rounds to 14.999...
        return math.floor(self.rate * self.duration + 1e-9)

    @property
    def customer_prefix(self) -> str:
        """What every customer id of this run begins with (and no other run's)."""
        return f"load-{self.run_id}-"

    def customer_id(self, seq: int) -> str:
        """The customer of the run's order ``seq``: each order has a customer of its own."""
        return f"{self.customer_prefix}{seq:07d}"

    def seq_of(self, customer_id: str) -> int:
        """The order ``seq`` whose customer this is (the inverse of :meth:`customer_id`)."""
        if not customer_id.startswith(self.customer_prefix):
            raise ValueError(f"{customer_id!r} is not a customer of run {self.run_id}")
        return int(customer_id.removeprefix(self.customer_prefix))


@dataclass(frozen=True)
class PlannedOrder:
    """One order of the run: when it is due (seconds after the start) and what is sent."""

    seq: int
    due: float
    customer_id: str
    idempotency_key: str
    delivery: bool
    body: dict[str, Any]


def send_offsets(rate: float, count: int) -> list[float]:
    """When each of ``count`` orders is due, in seconds after the start: evenly spaced, open loop."""
    return [seq / rate for seq in range(count)]


def is_delivery(seq: int, share: float) -> bool:
    """Whether order ``seq`` is a delivery order: ``share`` of any run of orders, spread evenly."""
    return math.floor((seq + 1) * share + 1e-9) > math.floor(seq * share + 1e-9)


def planned_orders(plan: LoadPlan) -> list[PlannedOrder]:
    """Every order of the run, in the order it is sent."""
    return [_order(plan, seq, due) for seq, due in enumerate(send_offsets(plan.rate, plan.order_count))]


def _order(plan: LoadPlan, seq: int, due: float) -> PlannedOrder:
    customer_id = plan.customer_id(seq)
    delivery = is_delivery(seq, plan.delivery_share)
    body: dict[str, Any] = {
        "customerId": customer_id,
        "orderType": "delivery" if delivery else "collection",
        "items": [{"pizza": plan.pizzas[seq % len(plan.pizzas)], "quantity": 1}],
    }
    if delivery:
        body["deliveryAddress"] = DELIVERY_ADDRESS
    if plan.callback_urls:
        body["callbackUrl"] = f"{plan.callback_urls[seq % len(plan.callback_urls)]}/{seq}"
    return PlannedOrder(seq, due, customer_id, f"{customer_id}-key", delivery, body)
