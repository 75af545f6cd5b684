"""In-memory stand-ins for the ports of a load run (pizza_ops.load.ports): an order service whose
orders end as each test scripts, and the effects the services would have recorded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pizza_ops.load.effects import KITCHEN, expected_effects
from pizza_ops.load.plan import LoadPlan, PlannedOrder, Workflow, planned_orders
from pizza_ops.load.ports import EffectCounter, OrderPlacer, OrderStates
from pizza_ops.load.results import LoadResult, Observed, OrderState, PlaceAnswer, Placement, summarize

T0 = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Fate:
    """What becomes of an order: its final status ``after`` seconds (by its own clock), or never."""

    status: str | None = "ACKNOWLEDGED"
    after: float = 0.05
    reason: str | None = None


class ScriptedOrderService(OrderPlacer, OrderStates):
    """Accepts every order (or answers as ``answers`` says, by seq) and ends each as ``fates`` says
    (by seq; ACKNOWLEDGED at once by default). Keeps every read, to see what was polled."""

    def __init__(
        self,
        fates: Mapping[int, Fate] | None = None,
        answers: Mapping[int, PlaceAnswer] | None = None,
        answer_delay: float = 0.0,
        stored_anyway: Collection[int] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fates = dict(fates or {})
        self._answers = dict(answers or {})
        self._answer_delay = answer_delay
        self._stored_anyway = set(stored_anyway)
        self.customers: dict[str, list[str]] = {}
        self._clock = clock
        self._start = clock()
        self._placed: dict[str, tuple[float, Fate]] = {}
        self.placed_at: dict[int, float] = {}
        self.reads: list[tuple[list[str], Mapping[str, OrderState]]] = []  # what was asked, what was found

    async def place(self, order: PlannedOrder) -> PlaceAnswer:
        self.placed_at[order.seq] = self._clock() - self._start
        await asyncio.sleep(self._answer_delay)
        answer = self._answers.get(order.seq, PlaceAnswer(202, f"order-{order.seq}"))
        if answer.status_code == 202 and answer.order_id:
            self._placed[answer.order_id] = (self._clock() - self._start, self._fates.get(order.seq, Fate()))
        if (answer.status_code == 202 and answer.order_id) or order.seq in self._stored_anyway:
            self.customers.setdefault(order.customer_id, []).append(answer.order_id or f"order-{order.seq}")
        return answer

    def read(self, order_ids: Collection[str]) -> Mapping[str, OrderState]:
        now = self._clock() - self._start
        found = {order_id: self._state(order_id, now) for order_id in order_ids if order_id in self._placed}
        self.reads.append((list(order_ids), found))
        return found

    def orders_by_customer(self, customer_prefix: str) -> Mapping[str, Sequence[str]]:
        return {customer: ids for customer, ids in self.customers.items() if customer.startswith(customer_prefix)}

    def _state(self, order_id: str, now: float) -> OrderState:
        placed, fate = self._placed[order_id]
        placed_at = T0 + timedelta(seconds=placed)
        if fate.status is None or now < placed + fate.after:
            return OrderState(order_id, "ACCEPTED", placed_at)
        return OrderState(order_id, fate.status, placed_at, placed_at + timedelta(seconds=fate.after), fate.reason)


class RecordedEffects(EffectCounter):
    """One of each expected effect per order, from the ``shows_after``-th count on; ``extra`` adds to them."""

    def __init__(
        self,
        workflow: Workflow,
        extra: Mapping[str, Mapping[str, int]] | None = None,
        shows_after: int = 0,
        none_for: Collection[str] = (),
    ) -> None:
        self._workflow = workflow
        self._extra = extra or {}
        self._shows_after = shows_after
        self._none_for = set(none_for)
        self.counts = 0

    def count(self, orders: Sequence[tuple[str, PlannedOrder]]) -> Mapping[str, Mapping[str, int]]:
        self.counts += 1
        shown = self.counts > self._shows_after
        found = {}
        for order_id, order in orders:
            base = expected_effects(order, self._workflow) if shown and order_id not in self._none_for else {}
            extra = self._extra.get(order_id, {})
            found[order_id] = {effect: base.get(effect, 0) + extra.get(effect, 0) for effect in {*base, *extra}}
        return found


REPORTED_PLAN = LoadPlan(rate=5, duration=2, workflow="choreography", delivery_share=0, run_id="r1")


def load_result(lost: int = 0, twice: bool = False) -> LoadResult:
    """Ten orders acknowledged (but ``lost`` of them, never final) and one refused with a 503; one
    kitchen order twice if ``twice``."""
    orders = planned_orders(REPORTED_PLAN)
    placements = [Placement(o, o.due, o.due + 0.1, PlaceAnswer(202, f"order-{o.seq}")) for o in orders]
    placements.append(Placement(orders[-1], 2.0, 2.1, PlaceAnswer(503)))
    states = {
        f"order-{o.seq}": OrderState(f"order-{o.seq}", "ACKNOWLEDGED", T0, T0 + timedelta(seconds=0.2))
        for o in orders[lost:]
    }
    effects = {
        f"order-{o.seq}": {"kitchen": 1, "loyalty": 1, "notification": 1, "analytics": 1, "delivery": 0} for o in orders
    }
    if twice:
        effects["order-4"][KITCHEN] = 2
    return summarize(REPORTED_PLAN, Observed(placements, states, effects, 2.0, 1))
