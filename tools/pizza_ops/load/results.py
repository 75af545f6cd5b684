"""What a load run saw, and the counts and figures made of it (no I/O here)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from pizza_ops.load.effects import ORDER, EffectAnomaly, anomalies_of, expected_effects
from pizza_ops.load.plan import LoadPlan, PlannedOrder

# The order service's final statuses (pizza_contracts.FINAL_ORDER_STATUSES), split by outcome.
SUCCESS_STATUSES = frozenset({"ACKNOWLEDGED", "CONFIRMED"})
FAILURE_STATUSES = frozenset({"FAILED", "COMPENSATION_FAILED"})
ACCEPTED = 202


@dataclass(frozen=True)
class PlaceAnswer:
    """The API's answer to one POST /orders: its status code and order id, or why there was none."""

    status_code: int | None
    order_id: str | None = None
    error: str | None = None  # "timeout" or "connection" when no answer came

    @property
    def outcome(self) -> str:
        """ "202", "429", "timeout", ...: how the answers are tallied."""
        return str(self.status_code) if self.status_code is not None else (self.error or "error")


@dataclass(frozen=True)
class Placement:
    """One order sent: when (seconds after the start), when it was answered, and how."""

    order: PlannedOrder
    sent_at: float
    answered_at: float
    answer: PlaceAnswer

    @property
    def accepted_order_id(self) -> str | None:
        return self.answer.order_id if self.answer.status_code == ACCEPTED else None


@dataclass(frozen=True)
class OrderState:
    """An order as the order service stored it: its status, and its own timestamps."""

    order_id: str
    status: str
    placed_at: datetime
    final_at: datetime | None = None  # when it reached its final status (from its history)
    failure_reason: str | None = None

    @property
    def is_final(self) -> bool:
        return self.status in SUCCESS_STATUSES or self.status in FAILURE_STATUSES


@dataclass(frozen=True)
class Percentiles:
    """Nearest-rank percentiles of a set of durations, in seconds."""

    count: int
    p50: float
    p90: float
    p99: float
    max: float


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``fraction`` of the values at or below it."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered) - 1e-9))
    return ordered[rank - 1]


def percentiles(values: Sequence[float]) -> Percentiles | None:
    if not values:
        return None
    return Percentiles(
        len(values), percentile(values, 0.5), percentile(values, 0.9), percentile(values, 0.99), max(values)
    )


@dataclass(frozen=True)
class LoadResult:
    """Everything a run counted. ``ok``: every accepted order reached a final status, no effect twice."""

    run_id: str
    workflow: str
    requested_rate: float
    duration: float
    planned: int
    sent: int
    accepted: int
    rejected: dict[str, int]  # by status code, or "timeout" / "connection"
    completed: int
    failed: int
    failure_reasons: dict[str, int]
    still_pending: dict[str, int]  # accepted, in a status that is not final at the end, by status
    not_found: int  # accepted, yet never seen in the orders table
    lost_orders: list[str]  # accepted, no final status at the end (still pending or not found)
    # Stored although the API gave no 202 (a timeout or a 5xx after the order was placed): a client
    # retrying with the same Idempotency-Key gets this order back, so not lost, but not answered.
    stored_unanswered: list[str]
    pending_when_sending_stopped: int
    anomalies: list[EffectAnomaly]
    effects_counted: list[str]
    latency: Percentiles | None  # placedAt → final status of completed orders (the orders' own clocks)
    api_latency: Percentiles | None  # POST /orders sent → answered (this client's clock)
    sending_seconds: float
    max_send_lag: float  # the latest any order was sent after it was due
    completion_seconds: float | None  # first placedAt → last completion (the orders' own clocks)
    effects_settled: bool = True

    @property
    def lost(self) -> int:
        return len(self.lost_orders)

    @property
    def duplicated(self) -> list[EffectAnomaly]:
        return [a for a in self.anomalies if a.kind == "duplicated"]

    @property
    def sent_rate(self) -> float:
        return self.sent / self.sending_seconds if self.sending_seconds > 0 else 0.0

    @property
    def completion_rate(self) -> float | None:
        """Completed orders per second, from the first placed to the last completed."""
        if not self.completion_seconds:
            return None
        return self.completed / self.completion_seconds

    @property
    def ok(self) -> bool:
        return not self.lost_orders and not self.duplicated


@dataclass(frozen=True)
class Observed:
    """What the run saw, to be summarized: the sends, the orders' last states, their effects."""

    placements: Sequence[Placement]
    states: Mapping[str, OrderState]
    effects: Mapping[str, Mapping[str, int]]  # order id → effect → count
    sending_seconds: float
    pending_when_sending_stopped: int
    effects_settled: bool = True
    # The orders stored for each of the run's customers, whatever the API answered.
    stored: Mapping[str, Sequence[str]] = field(default_factory=dict)


def summarize(plan: LoadPlan, observed: Observed) -> LoadResult:
    """The counts, latencies and anomalies of a run."""
    answers = Counter(p.answer.outcome for p in observed.placements)
    accepted = [p for p in observed.placements if p.accepted_order_id]
    states = [observed.states.get(p.accepted_order_id or "") for p in accepted]
    completed = [s for s in states if s is not None and s.status in SUCCESS_STATUSES]
    failed = [s for s in states if s is not None and s.status in FAILURE_STATUSES]
    lost = [p.accepted_order_id or "" for p, s in zip(accepted, states, strict=True) if s is None or not s.is_final]
    answered = {p.order.customer_id for p in accepted}
    stored_unanswered = [
        order_id
        for p in observed.placements
        if p.order.customer_id not in answered
        for order_id in observed.stored.get(p.order.customer_id, [])
    ]
    twice_stored = [
        EffectAnomaly(p.accepted_order_id or "", ORDER, len(stored), 1, "duplicated")
        for p in accepted
        if len(stored := observed.stored.get(p.order.customer_id, [])) > 1
    ]
    anomalies = twice_stored + [
        anomaly
        for placement, state in zip(accepted, states, strict=True)
        for anomaly in anomalies_of(
            placement.accepted_order_id or "",
            state is not None and state.status in SUCCESS_STATUSES,
            observed.effects.get(placement.accepted_order_id or "", {}),
            expected_effects(placement.order, plan.workflow),
        )
    ]
    finished = [s.final_at for s in completed if s.final_at is not None]
    first_placed = min((s.placed_at for s in states if s is not None), default=None)
    return LoadResult(
        run_id=plan.run_id,
        workflow=plan.workflow,
        requested_rate=plan.rate,
        duration=plan.duration,
        planned=plan.order_count,
        sent=len(observed.placements),
        accepted=len(accepted),
        rejected={outcome: n for outcome, n in sorted(answers.items()) if outcome != str(ACCEPTED)},
        completed=len(completed),
        failed=len(failed),
        failure_reasons=dict(Counter(s.failure_reason or s.status for s in failed).most_common()),
        still_pending=dict(Counter(s.status for s in states if s is not None and not s.is_final).most_common()),
        not_found=sum(1 for s in states if s is None),
        lost_orders=lost,
        stored_unanswered=stored_unanswered,
        pending_when_sending_stopped=observed.pending_when_sending_stopped,
        anomalies=anomalies,
        effects_counted=sorted(
            {ORDER, *(effect for p in accepted for effect in expected_effects(p.order, plan.workflow))}
        ),
        latency=percentiles([(s.final_at - s.placed_at).total_seconds() for s in completed if s.final_at]),
        api_latency=percentiles([p.answered_at - p.sent_at for p in observed.placements]),
        sending_seconds=observed.sending_seconds,
        max_send_lag=max((p.sent_at - p.order.due for p in observed.placements), default=0.0),
        completion_seconds=(max(finished) - first_placed).total_seconds() if finished and first_placed else None,
        effects_settled=observed.effects_settled,
    )
