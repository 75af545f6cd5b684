"""The resident memory of every long-running process of a `pizza up` stack, sampled every few
seconds to CSV files while a soak runs, with the trace store's size beside it.

The stack's processes are found from the process that holds its state directory's lock (`pizza
up`: the trace receiver and its span store live in it): MiniStack is its child, and MiniStack's
children are the Lambda workers, each named after the function whose AWS_LAMBDA_FUNCTION_NAME it
runs (its logical name from the stack's outputs) and numbered in the order it appeared, so a
worker that was recycled and started again shows as a new line, not as a jump in the old one.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sqlite3
import threading
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import psutil
from memory_summary import MemorySample

from pizza_ops.stack_lock import LOCK_FILE
from pizza_ops.telemetry import SPANS_FILE

RECEIVER = "pizza up (trace receiver + store)"
EMULATOR = "MiniStack (emulator)"
FUNCTION_SETTING = "AWS_LAMBDA_FUNCTION_NAME"
MEMORY_CSV = "memory.csv"
STACK_CSV = "stack.csv"

Kind = Literal["receiver", "emulator", "worker", "other"]


@dataclass(frozen=True)
class SeenProcess:
    """A process of the stack as classified once: what it is, and for a worker its function."""

    kind: Kind
    function: str | None = None  # the deployed (physical) function name of a worker
    program: str = ""  # the executable's name, to name an unexpected process


def classify(
    is_stack_root: bool,
    cmdline: Sequence[str],
    environ: Mapping[str, str],
    parent_cmdline: Sequence[str] = (),
    parent_is_root: bool = False,
) -> SeenProcess | None:
    """What a process under the stack's root is, from its command line and environment; None for
    one just forked that does not run its own program yet (it still shows its parent's command
    line and environment: MiniStack's worker, before exec, looks like MiniStack)."""
    program = os.path.basename(cmdline[0]) if cmdline else ""
    if is_stack_root:
        return SeenProcess("receiver", program=program)
    if list(cmdline) == list(parent_cmdline):
        return None
    if FUNCTION_SETTING in environ:
        return SeenProcess("worker", environ[FUNCTION_SETTING], program)
    # Only `pizza up`'s own child: a worker's script lies in a ministack-lambda-* directory too.
    if parent_is_root and any("ministack" in part for part in cmdline):
        return SeenProcess("emulator", program=program)
    return SeenProcess("other", program=program)


class ProcessNames:
    """A stable, readable name for each process of a run: the same process keeps its name, a new
    worker of a function gets the next number of that function (``kitchen-processor #2``)."""

    def __init__(self, logical_by_physical: Mapping[str, str]) -> None:
        self._logical = dict(logical_by_physical)
        self._names: dict[tuple[int, float], str] = {}
        self._workers: defaultdict[str, int] = defaultdict(int)

    def name(self, pid: int, started: float, seen: SeenProcess) -> str:
        """The name of the process ``pid`` started at ``started`` (a pid can be reused later)."""
        key = (pid, started)
        if key not in self._names:
            self._names[key] = self._new_name(pid, seen)
        return self._names[key]

    def _new_name(self, pid: int, seen: SeenProcess) -> str:
        if seen.kind == "receiver":
            return RECEIVER
        if seen.kind == "emulator":
            return EMULATOR
        if seen.kind == "worker" and seen.function is not None:
            function = self._logical.get(seen.function, seen.function)
            self._workers[function] += 1
            return f"{function} #{self._workers[function]}"
        return f"{seen.program or 'process'} (pid {pid})"


def logical_function_names(state_dir: Path) -> dict[str, str]:
    """Deployed function name → logical name, from the stack's recorded outputs."""
    outputs = json.loads((state_dir / "stack.json").read_text(encoding="utf-8"))
    return {physical: logical for logical, physical in outputs.get("function_names", {}).items()}


def stack_root_pid(state_dir: Path) -> int:
    """The pid of the `pizza up` that holds ``state_dir``'s lock; ProcessLookupError if none runs."""
    try:
        pid = int(json.loads((state_dir / LOCK_FILE).read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        raise ProcessLookupError(f"no stack recorded in {state_dir} (no readable {LOCK_FILE})") from None
    if not psutil.pid_exists(pid):
        raise ProcessLookupError(f"the stack of {state_dir} (pid {pid}) is not running")
    return pid


@dataclass(frozen=True)
class StackSample:
    """The stack-wide figures of one sampling moment."""

    elapsed: float
    spans: int | None  # held by the trace store (None: the store could not be read)
    store_bytes: int  # the span store's files on disk, its write-ahead log included
    load_average: float  # the machine's, over the last minute: other work shares the cores


class StackMemorySampler:
    """Samples every ``interval`` seconds on a thread of its own, from ``start`` until ``stop``,
    appending to ``out``/memory.csv (elapsed_s, process, pid, rss_bytes) and ``out``/stack.csv
    (elapsed_s, spans, store_bytes, load_1min) as it goes, so an interrupted soak keeps its samples."""

    def __init__(self, state_dir: Path, out: Path, interval: float = 10.0) -> None:
        self._state_dir, self._out, self._interval = state_dir, out, interval
        self._root = psutil.Process(stack_root_pid(state_dir))
        self._names = ProcessNames(logical_function_names(state_dir))
        self._seen: dict[tuple[int, float], SeenProcess] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)
        self._start = 0.0
        self.samples: list[MemorySample] = []
        self.stack_samples: list[StackSample] = []

    def start(self) -> None:
        self._start = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        """Take one last sample and stop."""
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        self._out.mkdir(parents=True, exist_ok=True)
        with (
            (self._out / MEMORY_CSV).open("w", newline="", encoding="utf-8") as memory_file,
            (self._out / STACK_CSV).open("w", newline="", encoding="utf-8") as stack_file,
        ):
            memory, stack = csv.writer(memory_file), csv.writer(stack_file)
            memory.writerow(["elapsed_s", "process", "pid", "rss_bytes"])
            stack.writerow(["elapsed_s", "spans", "store_bytes", "load_1min"])
            while True:
                last = self._stop.is_set()
                self._sample_once(memory, stack, memory_file, stack_file)
                if last:
                    return
                self._stop.wait(self._interval)

    def _sample_once(self, memory: Any, stack: Any, *files: IO[str]) -> None:  # csv writers
        elapsed = round(time.monotonic() - self._start, 1)
        for process in [self._root, *self._children()]:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                if process.status() == psutil.STATUS_ZOMBIE:  # ended, not yet reaped: it holds no memory
                    continue
                name = self._name(process)
                if name is None:
                    continue
                sample = MemorySample(elapsed, name, process.memory_info().rss)
                self.samples.append(sample)
                memory.writerow([elapsed, name, process.pid, sample.rss_bytes])
        figures = StackSample(elapsed, self._span_count(), self._store_bytes(), os.getloadavg()[0])
        self.stack_samples.append(figures)
        spans = "" if figures.spans is None else figures.spans
        stack.writerow([elapsed, spans, figures.store_bytes, f"{figures.load_average:.2f}"])
        for file in files:
            file.flush()

    def _children(self) -> list[psutil.Process]:
        with contextlib.suppress(psutil.NoSuchProcess):
            return list(self._root.children(recursive=True))
        return []

    def _name(self, process: psutil.Process) -> str | None:
        """The process's name in this run; None while it cannot be told yet (then it is not sampled)."""
        key = (process.pid, process.create_time())
        if key not in self._seen:
            cmdline = process.cmdline()
            environ: dict[str, str] = {}
            with contextlib.suppress(psutil.AccessDenied):  # a worker's environment is its own
                environ = process.environ()
            if process.cmdline() != cmdline:  # it ran exec between the reads: told at the next sample
                return None
            parent = process.parent()
            parent_cmdline = parent.cmdline() if parent is not None else []
            parent_is_root = parent is not None and parent.pid == self._root.pid
            seen = classify(process.pid == self._root.pid, cmdline, environ, parent_cmdline, parent_is_root)
            if seen is None:
                return None
            self._seen[key] = seen
        return self._names.name(process.pid, key[1], self._seen[key])

    def _span_count(self) -> int | None:
        # Read only, through SQLite's URI: a reader never creates, migrates or prunes the store.
        uri = f"{(self._state_dir / SPANS_FILE).resolve().as_uri()}?mode=ro"
        try:
            with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=5)) as connection:
                return int(connection.execute("SELECT COUNT(*) FROM spans").fetchone()[0])
        except sqlite3.Error:
            return None

    def _store_bytes(self) -> int:
        files = (self._state_dir / f"{SPANS_FILE}{suffix}" for suffix in ("", "-wal", "-shm"))
        return sum(file.stat().st_size for file in files if file.exists())


def read_samples(out: Path) -> tuple[list[MemorySample], list[StackSample]]:
    """The samples a sampler wrote to ``out`` (to draw and summarise a soak again, or one cut short)."""
    with (out / MEMORY_CSV).open(encoding="utf-8") as file:
        memory = [MemorySample(float(r["elapsed_s"]), r["process"], int(r["rss_bytes"])) for r in csv.DictReader(file)]
    with (out / STACK_CSV).open(encoding="utf-8") as file:
        stack = [
            StackSample(
                float(r["elapsed_s"]),
                int(r["spans"]) if r["spans"] else None,
                int(r["store_bytes"]),
                float(r["load_1min"]),
            )
            for r in csv.DictReader(file)
        ]
    return memory, stack
