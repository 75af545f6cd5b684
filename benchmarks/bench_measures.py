"""What the suite records of each run, and how: latency percentiles, counts, CPU time of the stack."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil
from bare_floor import BareRun

from pizza_ops.load.results import percentiles


@dataclass(frozen=True)
class RunFigures:
    """One load run: what was sent and became of it, latency in seconds, CPU seconds of the stack."""

    name: str  # "bare chain", "choreography" or "saga"
    rate: float
    seconds: float
    sent: int
    accepted: int
    completed: int
    lost: int
    duplicated: int
    p50: float | None
    p99: float | None
    cpu_emulator: float  # MiniStack and its Lambda workers
    cpu_receiver: float  # this process: the trace receiver (and the bare chain's load generator)
    wall: float  # from the first send to the last completion (and effects) seen

    @property
    def cpu_per_order(self) -> float | None:
        done = self.completed or self.accepted
        return (self.cpu_emulator + self.cpu_receiver) / done if done else None


class StackCpu:
    """CPU seconds (user + system) used so far by this process and every process under it: the
    emulator, its Lambda workers, and those of them already gone (their parents' reaped children)."""

    def __init__(self) -> None:
        self._me = psutil.Process()

    def sample(self) -> CpuSample:
        mine = self._me.cpu_times()
        below = 0.0
        for child in self._me.children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):  # gone: reaped by its parent
                times = child.cpu_times()
                below += times.user + times.system + times.children_user + times.children_system
        return CpuSample(emulator=below, receiver=mine.user + mine.system)


@dataclass(frozen=True)
class CpuSample:
    emulator: float
    receiver: float

    def __sub__(self, other: CpuSample) -> CpuSample:
        return CpuSample(self.emulator - other.emulator, self.receiver - other.receiver)

    @property
    def total(self) -> float:
        return self.emulator + self.receiver


def wait_until_idle(cpu: StackCpu, timeout: float, busy_below: float = 0.15, window: float = 2.0) -> tuple[bool, float]:
    """Wait until the stack uses less than ``busy_below`` of a core over ``window`` seconds (the
    last run's backlog worked through: queues, streams, durable executions), at most ``timeout``.
    Whether it got idle, and after how long: a run measured on a busy stack measures the last one."""
    started = time.monotonic()
    last = cpu.sample()
    while True:
        time.sleep(window)
        now = cpu.sample()
        waited = time.monotonic() - started
        if (now - last).total / window < busy_below:
            return True, waited
        if waited >= timeout:
            return False, waited
        last = now


def bare_figures(rate: float, seconds: float, run: BareRun, cpu: CpuSample, wall: float) -> RunFigures:
    latency = percentiles(run.latencies)
    return RunFigures(
        name="bare chain",
        rate=rate,
        seconds=seconds,
        sent=run.sent,
        accepted=run.accepted,
        completed=len(run.latencies),
        lost=run.lost,
        duplicated=0,
        p50=latency.p50 if latency else None,
        p99=latency.p99 if latency else None,
        cpu_emulator=cpu.emulator,
        cpu_receiver=cpu.receiver,
        wall=wall,
    )


def load_figures(
    name: str, rate: float, seconds: float, result: Mapping[str, Any], cpu: CpuSample, wall: float
) -> RunFigures:
    """From `pizza load --json`'s document."""
    latency = result.get("latency") or {}
    return RunFigures(
        name=name,
        rate=rate,
        seconds=seconds,
        sent=int(result["sent"]),
        accepted=int(result["accepted"]),
        completed=int(result["completed"]),
        lost=int(result["lost"]),
        duplicated=int(result["duplicated"]),
        p50=latency.get("p50"),
        p99=latency.get("p99"),
        cpu_emulator=cpu.emulator,
        cpu_receiver=cpu.receiver,
        wall=wall,
    )


def machine_facts(root: Path, emulator_python: Path) -> dict[str, str]:
    """Where and with what the figures were measured."""
    commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return {
        "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "commit": commit.stdout.strip() or "unknown",
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "memory": f"{psutil.virtual_memory().total / 1024**3:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "ministack": _version_in_emulator(emulator_python, "ministack"),
        "boto3": metadata.version("boto3"),
        "aws-lambda-powertools": metadata.version("aws-lambda-powertools"),
        "opentelemetry-sdk": metadata.version("opentelemetry-sdk"),
    }


def _cpu_model() -> str:
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _version_in_emulator(python: Path, distribution: str) -> str:
    code = f"from importlib.metadata import version; print(version({distribution!r}))"
    found = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    return found.stdout.strip() or "unknown"
