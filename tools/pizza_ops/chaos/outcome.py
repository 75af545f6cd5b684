"""What a chaos run found, and its one table (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass

from pizza_ops.load import LoadResult


@dataclass(frozen=True)
class Check:
    """A promise the scenario checks besides "nothing lost, nothing twice", and what it saw."""

    promise: str
    held: bool
    seen: str


@dataclass(frozen=True)
class StuckOrder:
    """An accepted order that never reached a final status, and why, as far as anything shows."""

    order_id: str
    reason: str


@dataclass(frozen=True)
class ChaosResult:
    """One scenario's run: the load it ran under, the faults it injected, what came of them."""

    scenario: str
    load: LoadResult
    faults: int
    faults_were: str  # what the faults were, for the table
    recovered: int
    recovered_how: str
    checks: tuple[Check, ...] = ()
    stuck: tuple[StuckOrder, ...] = ()

    @property
    def lost(self) -> int:
        return self.load.lost

    @property
    def duplicated_effects(self) -> int:
        return len(self.load.duplicated)

    @property
    def ok(self) -> bool:
        return self.load.ok and all(check.held for check in self.checks)


def render_chaos(result: ChaosResult, listed: int = 10) -> str:
    """The table: orders placed, faults injected, recovered, lost, duplicated effects, still stuck,
    then the scenario's own checks, the stuck orders with their reasons, and the verdict."""
    load = result.load
    refused = ", ".join(f"{answer}: {count}" for answer, count in sorted(load.rejected.items()))
    rows = [
        (
            "placed",
            load.accepted,
            f"accepted (202) of {load.sent} sent" + (f"; not accepted: {refused}" if refused else ""),
        ),
        ("injected faults", result.faults, result.faults_were),
        ("recovered", result.recovered, result.recovered_how),
        ("lost", load.lost, "accepted, never reached a final status"),
        ("duplicated effects", result.duplicated_effects, "an effect seen more than once for an order"),
        ("still stuck", len(result.stuck), "with the reason each shows (below)" if result.stuck else ""),
    ]
    lines = [f"pizza chaos {result.scenario}: {load.planned} orders at {load.requested_rate:g}/s ({load.workflow})"]
    lines += [f"  {name:<19}{count:>6}  {about}".rstrip() for name, count, about in rows]
    lines += [f"  {'ok  ' if check.held else 'FAIL'} {check.promise}: {check.seen}" for check in result.checks]
    lines += [f"  stuck {order.order_id}: {order.reason}" for order in result.stuck[:listed]]
    lines += [f"  duplicated {a.order_id}: {a.effect} x{a.count}" for a in load.duplicated[:listed]]
    lines.append("every promise held" if result.ok else "a promise was broken (see above)")
    return "\n".join(lines)
