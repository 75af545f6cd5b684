"""Runs a load plan: orders sent on schedule whatever the answers, then watched to their final status."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from pizza_ops.load.effects import anomalies_of, expected_effects
from pizza_ops.load.plan import LoadPlan, PlannedOrder, planned_orders
from pizza_ops.load.ports import EffectCounter, OrderPlacer, OrderStates
from pizza_ops.load.results import SUCCESS_STATUSES, LoadResult, Observed, OrderState, Placement, summarize

# How often the orders still moving are read while orders are sent, and while waiting for the
# last: from FIRST_POLL_SECONDS, backing off to MAX_POLL_SECONDS while nothing moves. Each read
# is one BatchGetItem per 100 orders still moving (their status only) and one per 100 that became
# final, never a request per order: the load must not take the cores it measures.
POLL_WHILE_SENDING_SECONDS = 2.0
FIRST_POLL_SECONDS = 0.5
MAX_POLL_SECONDS = 3.0
EFFECTS_POLL_SECONDS = 1.0
PROGRESS_SECONDS = 0.25


@dataclass(frozen=True)
class Progress:
    """Where a run stands; ``phase`` is sending, draining (waiting for final statuses), effects or done."""

    phase: str
    elapsed: float
    planned: int
    sent: int
    accepted: int
    rejected: int
    completed: int
    failed: int
    pending: int  # accepted, not yet final
    unanswered: int = 0  # sent, no answer yet


ProgressListener = Callable[[Progress], None]
# Called once every order is sent and answered, with the ids of those accepted, before the run
# waits for their final statuses: where a fault is repaired (pizza chaos) while the orders wait.
AfterSending = Callable[[Sequence[str]], Awaitable[None]]


def run_load(
    plan: LoadPlan,
    placer: OrderPlacer,
    states: OrderStates,
    effects: EffectCounter,
    on_progress: ProgressListener | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> LoadResult:
    """Send ``plan``'s orders on schedule, wait for them to end and their effects to show; what was counted."""
    return run_to_end(LoadRun(plan, placer, states, effects, on_progress, clock).run())


def run_to_end(run: Coroutine[Any, Any, LoadResult]) -> LoadResult:
    """``asyncio.run(run)``, on a thread of its own when this thread already runs an event loop
    (a caller inside one, such as Playwright's sync API, cannot start another here)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(run)
    with ThreadPoolExecutor(1, thread_name_prefix="pizza-load") as own_thread:
        return own_thread.submit(asyncio.run, run).result()


class LoadRun:
    """One run of a plan (``run_load`` in an event loop of the caller's own)."""

    def __init__(
        self,
        plan: LoadPlan,
        placer: OrderPlacer,
        states: OrderStates,
        effects: EffectCounter,
        on_progress: ProgressListener | None = None,
        clock: Callable[[], float] = time.monotonic,
        after_sending: AfterSending | None = None,
    ) -> None:
        self._plan, self._placer, self._states, self._effects = plan, placer, states, effects
        self._after_sending = after_sending
        self._on_progress = on_progress or (lambda _: None)
        self._clock = clock
        self._placements: list[Placement] = []
        self._accepted: dict[str, PlannedOrder] = {}
        self._seen: dict[str, OrderState] = {}
        self._sent = 0
        self._phase = "sending"
        self._start = 0.0

    async def run(self) -> LoadResult:
        self._start = self._clock()
        ticker = asyncio.create_task(self._tick())
        try:
            sending_seconds, pending_when_sending_stopped = await self._send_all()
            if self._after_sending is not None:
                self._enter("faults")
                await self._after_sending(list(self._accepted))
                self._enter("draining")
            await self._drain(self._clock() + self._plan.drain_timeout)
            # Reported at once: a listener can tell the orders' run from the counting (table scans).
            self._enter("effects")
            stored = await asyncio.to_thread(self._states.orders_by_customer, self._plan.customer_prefix)
            effects, settled = await self._count_effects(self._clock() + self._plan.effects_timeout)
            self._phase = "done"
        finally:
            ticker.cancel()
        self._report()
        observed = Observed(
            self._placements, dict(self._seen), effects, sending_seconds, pending_when_sending_stopped, settled, stored
        )
        return summarize(self._plan, observed)

    async def _send_all(self) -> tuple[float, int]:
        """Each order at its time, without waiting for earlier answers, then every answer awaited.

        Returns the seconds the sending took, and the backlog when the last order was sent: the
        orders still unanswered, or accepted and not yet final.
        """
        watching = asyncio.Event()
        watcher = asyncio.create_task(self._watch(watching))
        sends = []
        try:
            for order in planned_orders(self._plan):
                delay = self._start + order.due - self._clock()
                if delay > 0:
                    await asyncio.sleep(delay)
                sends.append(asyncio.create_task(self._send(order)))
            self._phase = "draining"
            await self._poll()
            backlog = self._sent - len(self._placements) + len(self._pending())
            await asyncio.gather(*sends)
        finally:
            watching.set()
            await watcher
        last_sent = max((p.sent_at for p in self._placements), default=0.0)
        await self._poll()
        return last_sent + 1 / self._plan.rate, backlog  # the last order's slot ends a period after it is sent

    async def _send(self, order: PlannedOrder) -> None:
        self._sent += 1
        sent_at = self._clock() - self._start
        answer = await self._placer.place(order)
        placement = Placement(order, sent_at, self._clock() - self._start, answer)
        self._placements.append(placement)
        if placement.accepted_order_id:
            self._accepted[placement.accepted_order_id] = order

    async def _watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self._poll()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), POLL_WHILE_SENDING_SECONDS)

    async def _drain(self, deadline: float) -> None:
        interval = FIRST_POLL_SECONDS
        while self._pending() and self._clock() < deadline:
            await asyncio.sleep(min(interval, max(0.0, deadline - self._clock())))
            moved = await self._poll()
            interval = FIRST_POLL_SECONDS if moved else min(interval * 1.5, MAX_POLL_SECONDS)

    async def _poll(self) -> bool:
        """Read the orders still moving; whether any reached a final status."""
        pending = self._pending()
        if not pending:
            return False
        found = await asyncio.to_thread(self._states.read, pending)
        self._seen.update(found)
        return any(state.is_final for state in found.values())

    async def _count_effects(self, deadline: float) -> tuple[dict[str, dict[str, int]], bool]:
        """The effects of every accepted order, once every completed one shows all it should (or at the deadline)."""
        orders = list(self._accepted.items())
        while True:
            counts = await asyncio.to_thread(self._effects.count, orders)
            effects = {order_id: dict(counts.get(order_id, {})) for order_id, _ in orders}
            missing = any(
                anomaly.kind == "missing"
                for order_id, order in orders
                for anomaly in anomalies_of(
                    order_id, self._completed(order_id), effects[order_id], expected_effects(order, self._plan.workflow)
                )
            )
            if not missing or self._clock() >= deadline:
                return effects, not missing
            await asyncio.sleep(EFFECTS_POLL_SECONDS)

    def _completed(self, order_id: str) -> bool:
        state = self._seen.get(order_id)
        return state is not None and state.status in SUCCESS_STATUSES

    def _pending(self) -> list[str]:
        return [
            order_id for order_id in self._accepted if (state := self._seen.get(order_id)) is None or not state.is_final
        ]

    def _enter(self, phase: str) -> None:
        self._phase = phase
        self._report()

    async def _tick(self) -> None:
        while True:
            self._report()
            await asyncio.sleep(PROGRESS_SECONDS)

    def _report(self) -> None:
        final = [self._seen[order_id] for order_id in self._accepted if order_id in self._seen]
        completed = sum(1 for state in final if state.status in SUCCESS_STATUSES)
        failed = sum(1 for state in final if state.is_final and state.status not in SUCCESS_STATUSES)
        answered = len(self._placements)
        self._on_progress(
            Progress(
                phase=self._phase,
                elapsed=self._clock() - self._start,
                planned=self._plan.order_count,
                sent=self._sent,
                accepted=len(self._accepted),
                rejected=answered - len(self._accepted),
                completed=completed,
                failed=failed,
                pending=len(self._accepted) - completed - failed,
                unanswered=self._sent - answered,
            )
        )
