"""bench/report.md and its plots, from the suite's results (bench/results.json holds the same).

The report's sections and tables keep their shape from run to run, so two reports compare line by
line; each target says whether it was met, and by how much it was missed.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

LATENCY_RATIO_TARGET = 3.0
RELAY_TARGET = 10.0
CPU_TARGET = 0.5
COLD_IMPORT_TARGET = 1.5
BARE = "bare chain"
COLD_BASELINE = "bare boto3 handler"
NAMES = (BARE, "choreography", "saga")

Run = Mapping[str, Any]


def write(results: Mapping[str, Any], out: Path) -> None:
    runs: list[Run] = results["runs"]
    settings = results["settings"]
    sweep = [run for run in runs if run["seconds"] == settings["seconds"]]
    sustained = [run for run in runs if run["seconds"] == settings["sustained_seconds"]]
    _latency_plot(sweep, out / "latency.png")
    _relay_plot(results["relay"], out / "relay.png")
    _cold_plot(results["cold_imports"], results.get("baseline", {}).get("cold_imports"), out / "cold_imports.png")
    lines = [
        "# Performance report",
        "",
        "Written by `make bench` (benchmarks/suite.py); every figure below was measured in the one run",
        "this report describes. Latency: order → `ACKNOWLEDGED` (choreography) or `CONFIRMED` (saga) from",
        "the order's own `placedAt` and history; bare chain: its first handler → its item stored.",
        "",
        "## Machine",
        "",
        *_table(["", ""], [[name, value] for name, value in results["machine"].items()]),
        "",
        "## Targets",
        "",
        *_table(["target", "measured", "met"], _targets(results, sustained)),
        "",
        "## Latency by rate",
        "",
        f"Each rate for {settings['seconds']:g} s, open loop (orders sent when due, whatever the answers).",
        "",
        "![latency by rate](latency.png)",
        "",
        *_table(
            ["rate /s", "workflow", "sent", "completed", "lost", "dup.", "p50 s", "p99 s", "x bare p50", "x bare p99"],
            _latency_rows(sweep),
        ),
        "",
        f"## Sustained: {settings['sustained_rate']:g} orders/s for {settings['sustained_seconds']:g} s",
        "",
        "Drain: from the last order sent to the last one final (and its effects seen); a backlog that",
        "grew while sending shows here.",
        "",
        *_table(
            ["workflow", "sent", "completed", "lost", "dup.", "p50 s", "p99 s", "x bare p50", "x bare p99", "drain s"],
            _sustained_rows(sustained),
        ),
        "",
        "## CPU per order",
        "",
        "CPU seconds (user + system) of every process of the stack over a run, per completed order:",
        "MiniStack and its Lambda workers; the suite's process (the trace receiver; for the bare chain its",
        "load generator too: the workflows' `pizza load` runs in a process of its own, not counted).",
        "",
        *_table(["run", "emulator + workers s", "suite process s", "per order s"], _cpu_rows(runs, results)),
        "",
        "## Outbox relay",
        "",
        "![outbox relay](relay.png)",
        "",
        *_table(["way", "events/s median", "min", "max", "ms per invocation p50", "p99"], _relay_rows(results)),
        "",
        "## Cold import and cold start per function",
        "",
        "Fresh interpreters, the function's zip only, median of the runs; x the bare boto3 handler's.",
        "",
        "![cold imports](cold_imports.png)",
        "",
        *_table(["function", "import ms", "x bare", "cold start ms", "x bare"], _cold_rows(results["cold_imports"])),
        "",
    ]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")


def _targets(results: Mapping[str, Any], sustained: Sequence[Run]) -> list[list[str]]:
    rows = []
    bare, choreography, saga = (_one(sustained, name) for name in NAMES)
    if bare and choreography and bare["p50"] and choreography["p50"]:
        p50, p99 = choreography["p50"] / bare["p50"], choreography["p99"] / bare["p99"]
        worst = max(p50, p99)
        drained = choreography["wall"] - choreography["seconds"]
        rows.append(
            [
                f"{choreography['rate']:g}/s for {choreography['seconds']:g} s, choreography p50 and p99 ≤ "
                f"{LATENCY_RATIO_TARGET:g}x bare",
                f"p50 {p50:.1f}x, p99 {p99:.1f}x ({choreography['completed']}/{choreography['accepted']} "
                f"completed, {choreography['lost']} lost, drained in {drained:.0f} s)",
                _met(worst <= LATENCY_RATIO_TARGET and choreography["lost"] == 0, worst / LATENCY_RATIO_TARGET),
            ]
        )
    if saga and saga["p50"]:
        rows.append(
            [
                f"saga at {saga['rate']:g}/s, reported beside it",
                f"p50 {saga['p50']:.2f} s, p99 {saga['p99']:.2f} s, {saga['completed']}/{saga['accepted']} "
                f"completed, {saga['lost']} lost",
                "(reported)",
            ]
        )
    relay = results["relay"]["events_per_second"]
    ratio = statistics.median(relay["batched"]) / statistics.median(relay["one at a time"])
    rows.append(
        [
            f"outbox relay ≥ {RELAY_TARGET:g}x one at a time",
            f"{ratio:.1f}x",
            _met(ratio >= RELAY_TARGET, RELAY_TARGET / ratio),
        ]
    )
    baseline = results.get("baseline")
    now = _cpu_now(results)
    if baseline and now:
        before = _one(baseline["runs"], "choreography")
        if before and _per_order(before):
            share = now / _per_order(before)
            rows.append(
                [
                    f"CPU per order ≤ {CPU_TARGET:g} x {baseline['ref']}'s (choreography, {before['rate']:g}/s)",
                    f"{now:.3f} s against {_per_order(before):.3f} s: {share:.2f}x",
                    _met(share <= CPU_TARGET, share / CPU_TARGET),
                ]
            )
    worst_import = max(_cold_ratios(results["cold_imports"], "import").values())
    rows.append(
        [
            f"cold import ≤ {COLD_IMPORT_TARGET:g}x a bare boto3 handler (slowest function)",
            f"{worst_import:.2f}x",
            _met(worst_import <= COLD_IMPORT_TARGET, worst_import / COLD_IMPORT_TARGET),
        ]
    )
    rows.append(["one publication channel by default", "SNS (infra/system.yaml, ORDER_EVENT_CHANNELS)", "yes"])
    return rows


def _met(ok: bool, over: float) -> str:
    return "yes" if ok else f"no: {100 * (over - 1):.0f}% over"


def _one(runs: Sequence[Run], name: str) -> Run | None:
    found = [run for run in runs if run["name"] == name]
    return found[-1] if found else None


def _per_order(run: Run) -> float:
    done = run["completed"] or run["accepted"]
    return (run["cpu_emulator"] + run["cpu_receiver"]) / done if done else 0.0


def _cpu_now(results: Mapping[str, Any]) -> float | None:
    """This code's choreography CPU per order at the baseline's rate (the sweep's run at it)."""
    rate = results["settings"]["baseline_rate"]
    at_rate = [r for r in results["runs"] if r["name"] == "choreography" and r["rate"] == rate]
    return _per_order(at_rate[0]) if at_rate else None


def _latency_rows(runs: Sequence[Run]) -> list[list[str]]:
    rows = []
    for rate in sorted({run["rate"] for run in runs}):
        bare = _one([r for r in runs if r["rate"] == rate], BARE)
        for name in NAMES:
            run = _one([r for r in runs if r["rate"] == rate], name)
            if run:
                rows.append([f"{rate:g}", name, *_counts(run), *_ratios(run, bare)])
    return rows


def _sustained_rows(runs: Sequence[Run]) -> list[list[str]]:
    bare = _one(runs, BARE)
    rows = []
    for name in NAMES:
        run = _one(runs, name)
        if run:
            rows.append([name, *_counts(run), *_ratios(run, bare), f"{run['wall'] - run['seconds']:.0f}"])
    return rows


def _counts(run: Run) -> list[str]:
    return [
        str(run["sent"]),
        str(run["completed"]),
        str(run["lost"]),
        str(run["duplicated"]),
        _seconds(run["p50"]),
        _seconds(run["p99"]),
    ]


def _ratios(run: Run, bare: Run | None) -> list[str]:
    if run["name"] == BARE or not bare or not run["p50"] or not bare["p50"]:
        return ["", ""]
    return [f"{run['p50'] / bare['p50']:.1f}x", f"{run['p99'] / bare['p99']:.1f}x"]


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _cpu_rows(runs: Sequence[Run], results: Mapping[str, Any]) -> list[list[str]]:
    rows = [
        [
            f"{run['name']} {run['rate']:g}/s x {run['seconds']:g} s",
            f"{run['cpu_emulator']:.1f}",
            f"{run['cpu_receiver']:.1f}",
            f"{_per_order(run):.3f}",
        ]
        for run in runs
    ]
    baseline = results.get("baseline") or {"runs": []}
    for run in baseline["runs"]:
        rows.append(
            [
                f"{baseline['ref']}: {run['name']} {run['rate']:g}/s x {run['seconds']:g} s",
                f"{run['cpu_emulator']:.1f}",
                f"{run['cpu_receiver']:.1f}",
                f"{_per_order(run):.3f}",
            ]
        )
    return rows


def _relay_rows(results: Mapping[str, Any]) -> list[list[str]]:
    relay = results["relay"]
    rows = []
    for way, rates in relay["events_per_second"].items():
        ms = sorted(relay["invocation_ms"][way])
        rows.append(
            [
                way,
                f"{statistics.median(rates):.0f}",
                f"{min(rates):.0f}",
                f"{max(rates):.0f}",
                f"{statistics.median(ms):.0f}",
                f"{ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]:.0f}",
            ]
        )
    return rows


def _cold_ratios(figures: Mapping[str, Mapping[str, list[float]]], kind: str) -> dict[str, float]:
    base = statistics.median(figures[COLD_BASELINE][kind])
    return {label: statistics.median(kinds[kind]) / base for label, kinds in figures.items() if label != COLD_BASELINE}


def _cold_rows(figures: Mapping[str, Mapping[str, list[float]]]) -> list[list[str]]:
    imports, starts = _cold_ratios(figures, "import"), _cold_ratios(figures, "cold_start")
    rows = []
    for label, kinds in figures.items():
        is_base = label == COLD_BASELINE
        rows.append(
            [
                label,
                f"{statistics.median(kinds['import']):.0f}",
                "1.00x" if is_base else f"{imports[label]:.2f}x",
                f"{statistics.median(kinds['cold_start']):.0f}",
                "1.00x" if is_base else f"{starts[label]:.2f}x",
            ]
        )
    return rows


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def _latency_plot(runs: Sequence[Run], path: Path) -> None:
    figure, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for axis, key in zip(axes, ("p50", "p99"), strict=True):
        for name in NAMES:
            points = sorted((run["rate"], run[key]) for run in runs if run["name"] == name and run[key])
            if points:
                axis.plot(*zip(*points, strict=True), marker="o", label=name)
        axis.set_yscale("log")
        axis.set_xlabel("orders per second")
        axis.set_title(f"latency {key}")
        axis.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("seconds (log)")
    axes[0].legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _relay_plot(relay: Mapping[str, Any], path: Path) -> None:
    figure, axis = plt.subplots(figsize=(6, 3.5))
    ways = list(relay["events_per_second"])
    medians = [statistics.median(relay["events_per_second"][way]) for way in ways]
    axis.bar(ways, medians, color=["#999999", "#2a7ab9"])
    for index, value in enumerate(medians):
        axis.annotate(f"{value:.0f}", (index, value), ha="center", va="bottom")
    axis.set_ylabel("events per second (median of rounds)")
    axis.set_title("outbox relay on MiniStack")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _cold_plot(
    figures: Mapping[str, Mapping[str, list[float]]], before: Mapping[str, Mapping[str, list[float]]] | None, path: Path
) -> None:
    labels = list(figures)
    figure, axis = plt.subplots(figsize=(11, 4))
    width = 0.4 if before else 0.6
    now = [statistics.median(figures[label]["import"]) for label in labels]
    positions = list(range(len(labels)))
    axis.bar([p + (width / 2 if before else 0) for p in positions], now, width, label="this code")
    if before:
        old = [statistics.median(before[label]["import"]) if label in before else 0 for label in labels]
        axis.bar([p - width / 2 for p in positions], old, width, label="baseline", color="#999999")
    axis.axhline(statistics.median(figures[COLD_BASELINE]["import"]) * COLD_IMPORT_TARGET, ls="--", c="red", lw=1)
    axis.set_xticks(positions, labels, rotation=35, ha="right")
    axis.set_ylabel("import ms (median)")
    axis.set_title(f"cold import per function; dashed: {COLD_IMPORT_TARGET:g}x the bare boto3 handler")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
