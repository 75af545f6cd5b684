"""A load run for people (a progress line, a table) and for machines (JSON)."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from typing import Any, TextIO

from pizza_ops.load.results import LoadResult, Percentiles
from pizza_ops.load.runner import Progress

BAR_WIDTH = 24
# Where the progress line cannot be redrawn (a log, a pipe), one line this often, and on each new phase.
PLAIN_PROGRESS_SECONDS = 5.0


def render_progress(progress: Progress) -> str:
    """One line: the phase, a bar (orders sent while sending, orders ended after), and the counts."""
    if progress.phase == "sending":
        done, total = progress.sent, progress.planned
    else:
        done, total = progress.completed + progress.failed, progress.accepted
    filled = BAR_WIDTH * done // total if total else BAR_WIDTH
    bar = "#" * filled + "-" * (BAR_WIDTH - filled)
    return (
        f"{progress.phase:<8} [{bar}] {progress.elapsed:6.1f}s  sent {progress.sent}/{progress.planned}"
        f"  unanswered {progress.unanswered}  rejected {progress.rejected}  completed {progress.completed}"
        f"  failed {progress.failed}  pending {progress.pending}"
    )


class ProgressLine:
    """Draws the progress on ``stream``: redrawn in place on a terminal, else a line now and then."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._redraw = stream.isatty()
        self._clock = clock
        self._last_line = ""
        self._last_phase = ""
        self._last_at = float("-inf")

    def __call__(self, progress: Progress) -> None:
        line = render_progress(progress)
        if self._redraw:
            self._stream.write("\r" + line.ljust(len(self._last_line)))
        elif progress.phase != self._last_phase or self._clock() - self._last_at >= PLAIN_PROGRESS_SECONDS:
            self._stream.write(line + "\n")
            self._last_at = self._clock()
        self._stream.flush()
        self._last_line, self._last_phase = line, progress.phase

    def close(self) -> None:
        if self._redraw and self._last_line:
            self._stream.write("\n")
            self._stream.flush()


def _rate(value: float | None) -> str:
    return f"{value:.1f}/s" if value is not None else "-"


def _latency_row(name: str, figures: Percentiles | None) -> str:
    if figures is None:
        return f"  {name:<30}{0:>7}" + f"{'-':>9}" * 4
    values = (figures.p50, figures.p90, figures.p99, figures.max)
    return f"  {name:<30}{figures.count:>7}" + "".join(f"{value:>9.3f}" for value in values)


def _by_key(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {n}" for key, n in counts.items())


def render_result(result: LoadResult, limit: int = 20) -> str:
    """The final table; the lost orders and the effect anomalies listed, ``limit`` of each at most."""
    rejected, pending = sum(result.rejected.values()), sum(result.still_pending.values())
    kinds = ("duplicated", "missing", "unexpected")
    anomalies = {kind: [a for a in result.anomalies if a.kind == kind] for kind in kinds}
    lines = [
        f"run {result.run_id}: {result.workflow}, {result.requested_rate:g}/s for {result.duration:g} s"
        f" ({result.planned} orders)",
        "",
        "ORDERS",
        f"  {'sent':<30}{result.sent:>7}",
        f"  {'accepted (202)':<30}{result.accepted:>7}",
        f"  {'rejected':<30}{rejected:>7}" + (f"   {_by_key(result.rejected)}" if rejected else ""),
        f"  {'completed':<30}{result.completed:>7}",
        f"  {'failed':<30}{result.failed:>7}" + (f"   {_by_key(result.failure_reasons)}" if result.failed else ""),
        f"  {'still pending':<30}{pending:>7}" + (f"   {_by_key(result.still_pending)}" if pending else ""),
        f"  {'lost (no final status)':<30}{result.lost:>7}"
        + (f"   {result.not_found} never seen in the orders table" if result.not_found else ""),
        f"  {'stored, though not accepted':<30}{len(result.stored_unanswered):>7}"
        + ("   (no 202, yet the order exists)" if result.stored_unanswered else ""),
        f"  {'pending when sending stopped':<30}{result.pending_when_sending_stopped:>7}",
        "",
        "EFFECTS (each accepted order's count of: " + ", ".join(result.effects_counted) + ")",
        f"  {'duplicated (count > 1)':<30}{len(anomalies['duplicated']):>7}",
        f"  {'missing (completed, too few)':<30}{len(anomalies['missing']):>7}"
        + ("" if result.effects_settled else "   (still missing when the wait for effects ended)"),
        f"  {'unexpected (should be none)':<30}{len(anomalies['unexpected']):>7}",
        "",
        f"{'LATENCY (s)':<32}{'n':>7}" + "".join(f"{name:>9}" for name in ("p50", "p90", "p99", "max")),
        _latency_row("order → final status", result.latency),
        _latency_row("POST /orders answered", result.api_latency),
        "",
        "THROUGHPUT",
        f"  requested {_rate(result.requested_rate)}, sent {_rate(result.sent_rate)}"
        f" (latest send {result.max_send_lag * 1000:.0f} ms behind schedule),"
        f" completed {_rate(result.completion_rate)}",
    ]
    if result.lost_orders:
        lines += ["", f"LOST ORDERS (first {min(limit, result.lost)} of {result.lost})", *result.lost_orders[:limit]]
    if result.stored_unanswered:
        count = len(result.stored_unanswered)
        lines += ["", f"STORED, THOUGH NOT ACCEPTED (first {min(limit, count)} of {count})"]
        lines += result.stored_unanswered[:limit]
    if result.anomalies:
        lines += ["", f"EFFECT ANOMALIES (first {min(limit, len(result.anomalies))} of {len(result.anomalies)})"]
        lines += [
            f"  {a.order_id}  {a.effect}: {a.count} (expected {a.expected}, {a.kind})" for a in result.anomalies[:limit]
        ]
    return "\n".join(lines)


def result_as_json(result: LoadResult) -> str:
    """Everything counted, with the derived figures, as one JSON document."""
    document: dict[str, Any] = dataclasses.asdict(result)
    document.update(
        lost=result.lost,
        duplicated=len(result.duplicated),
        sent_rate=result.sent_rate,
        completion_rate=result.completion_rate,
        ok=result.ok,
    )
    return json.dumps(document, indent=2)
