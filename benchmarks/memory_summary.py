"""What a soak's memory samples say per process: its resident memory after warm-up and at the end,
the growth between, and how fast it still grew over the second half of its life.

Pure: samples in, figures out. "After warm-up" is the first sample at or after a fraction of the
run (10% by default): the first orders fill caches, start workers and import modules, which is
growth a soak is not about. A process born later (a worker started mid-run) is warm from its own
first sample on the same terms: a fraction of its own life.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MIB = 1024 * 1024
WARM_UP_FRACTION = 0.1
TOTAL = "whole stack (sum)"


@dataclass(frozen=True)
class MemorySample:
    """One process's resident memory (RSS, bytes) at ``elapsed`` seconds into the run."""

    elapsed: float
    process: str
    rss_bytes: int


@dataclass(frozen=True)
class MemoryGrowth:
    """One process over the run: MiB after warm-up and at its last sample, the growth between, and
    the least-squares slope over the second half of its samples (MiB per hour)."""

    process: str
    first_seen: float
    last_seen: float
    warm_mib: float
    end_mib: float
    peak_mib: float
    slope_mib_per_hour: float

    @property
    def growth_mib(self) -> float:
        return self.end_mib - self.warm_mib

    @property
    def growth_percent(self) -> float:
        return 100 * self.growth_mib / self.warm_mib if self.warm_mib else 0.0


def memory_growth(samples: Iterable[MemorySample], warm_up_fraction: float = WARM_UP_FRACTION) -> list[MemoryGrowth]:
    """Each process's growth, in the order the processes were first seen."""
    by_process: dict[str, list[MemorySample]] = defaultdict(list)
    for sample in samples:
        by_process[sample.process].append(sample)
    return [_growth(name, series, warm_up_fraction) for name, series in by_process.items()]


def long_lived(growth: Sequence[MemoryGrowth], share: float = 0.9) -> list[MemoryGrowth]:
    """The processes seen over at least ``share`` of the run: those whose own growth can show a leak."""
    if not growth:
        return []
    first, last = min(row.first_seen for row in growth), max(row.last_seen for row in growth)
    return [row for row in growth if row.last_seen - row.first_seen >= share * (last - first)]


def group_of(process: str) -> str:
    """The group a process belongs to: a function's workers (``kitchen-processor #3`` is one of
    ``kitchen-processor workers``), or the process alone."""
    function, numbered, number = process.rpartition(" #")
    return f"{function} workers" if numbered and number.isdigit() else process


def grouped_growth(
    samples: Iterable[MemorySample], warm_up_fraction: float = WARM_UP_FRACTION
) -> list[tuple[MemoryGrowth, int]]:
    """The growth of each group (a function's workers summed at each moment: a pool that grows
    by keeping more workers, or whose workers each grow, grows here alike) with how many processes
    it had over the run, then the whole stack's; groups in the order first seen."""
    by_group: dict[str, list[MemorySample]] = defaultdict(list)
    members: dict[str, set[str]] = defaultdict(set)
    all_samples = list(samples)
    for sample in all_samples:
        by_group[group_of(sample.process)].append(sample)
        members[group_of(sample.process)].add(sample.process)
    rows = [
        (_growth(group, summed(series, group), warm_up_fraction), len(members[group]))
        for group, series in by_group.items()
    ]
    if len(by_group) > 1:
        rows.append(
            (_growth(TOTAL, summed(all_samples, TOTAL), warm_up_fraction), len({s.process for s in all_samples}))
        )
    return rows


def summed(samples: Iterable[MemorySample], name: str) -> list[MemorySample]:
    """One series named ``name``: at each sampling moment, the sum of the samples taken then."""
    totals: dict[float, int] = defaultdict(int)
    for sample in samples:
        totals[sample.elapsed] += sample.rss_bytes
    return [MemorySample(elapsed, name, rss) for elapsed, rss in totals.items()]


def _growth(process: str, series: Sequence[MemorySample], warm_up_fraction: float) -> MemoryGrowth:
    ordered = sorted(series, key=lambda sample: sample.elapsed)
    first, last = ordered[0].elapsed, ordered[-1].elapsed
    warm_from = first + warm_up_fraction * (last - first)
    warm = next(sample for sample in ordered if sample.elapsed >= warm_from)
    second_half = [sample for sample in ordered if sample.elapsed >= (first + last) / 2]
    return MemoryGrowth(
        process=process,
        first_seen=first,
        last_seen=last,
        warm_mib=warm.rss_bytes / MIB,
        end_mib=ordered[-1].rss_bytes / MIB,
        peak_mib=max(sample.rss_bytes for sample in ordered) / MIB,
        slope_mib_per_hour=slope([s.elapsed for s in second_half], [s.rss_bytes / MIB for s in second_half]) * 3600,
    )


def slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """The least-squares slope of ``ys`` over ``xs`` (0 for fewer than two distinct ``xs``)."""
    if len(xs) != len(ys):
        raise ValueError(f"{len(xs)} x values for {len(ys)} y values")
    if len(xs) < 2:
        return 0.0
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def growth_table(rows: Sequence[tuple[MemoryGrowth, int]]) -> list[str]:
    """The figures as a Markdown table, a group (or process) a row with its number of processes."""
    lines = [
        "| processes | how many | seen (min) | after warm-up MiB | end MiB | peak MiB | growth MiB | growth % "
        "| 2nd-half slope MiB/h |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row, count in rows:
        seen = f"{row.first_seen / 60:.1f} to {row.last_seen / 60:.1f}"
        lines.append(
            f"| {row.process} | {count} | {seen} | {row.warm_mib:.1f} | {row.end_mib:.1f} | {row.peak_mib:.1f} "
            f"| {row.growth_mib:+.1f} | {row.growth_percent:+.1f} | {row.slope_mib_per_hour:+.1f} |"
        )
    return lines
