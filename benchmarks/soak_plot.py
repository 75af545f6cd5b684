"""The soak's picture: each process's resident memory over the run (a line each), and below it the
trace store's spans and bytes on disk, which its retention bound must keep level."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt
from memory_summary import MIB, MemorySample, group_of
from stack_memory import StackSample


def plot_soak(samples: Sequence[MemorySample], stack: Sequence[StackSample], title: str, path: Path) -> None:
    """A line per process; a function's workers share its colour and one legend entry."""
    by_process: dict[str, list[MemorySample]] = defaultdict(list)
    for sample in samples:
        by_process[sample.process].append(sample)
    figure, (memory, store) = plt.subplots(
        2, 1, figsize=(13, 9), sharex=True, gridspec_kw={"height_ratios": [3, 1]}, layout="constrained"
    )
    palette = [*plt.get_cmap("tab20")(range(20)), *plt.get_cmap("tab20b")(range(20))]
    colours: dict[str, Any] = {}
    for process, series in by_process.items():
        group = group_of(process)
        first_of_group = group not in colours
        colours.setdefault(group, palette[len(colours) % len(palette)])
        memory.plot(
            [s.elapsed / 60 for s in series],
            [s.rss_bytes / MIB for s in series],
            label=f"{group} ({_count(by_process, group)})" if first_of_group else None,
            color=colours[group],
            linewidth=1.0,
        )
    memory.set_ylabel("resident memory of each process (MiB)")
    memory.set_title(title)
    memory.grid(alpha=0.3)
    memory.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    counted = [s for s in stack if s.spans is not None]
    store.plot([s.elapsed / 60 for s in counted], [s.spans or 0 for s in counted], color="tab:blue")
    store.set_ylabel("spans held", color="tab:blue")
    store.set_xlabel("minutes since the first sample")
    store.grid(alpha=0.3)
    on_disk = store.twinx()
    on_disk.plot([s.elapsed / 60 for s in stack], [s.store_bytes / MIB for s in stack], color="tab:orange")
    on_disk.set_ylabel("span store on disk (MiB)", color="tab:orange")
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _count(by_process: dict[str, list[MemorySample]], group: str) -> str:
    count = sum(1 for process in by_process if group_of(process) == group)
    return "1 process" if count == 1 else f"{count} processes"
