"""The soak's sampler: every process of a stack found from the process holding its lock, each named
for what it is (a worker after its function), and sampled to CSV with the trace store's size."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from stack_memory import (
    EMULATOR,
    MEMORY_CSV,
    RECEIVER,
    STACK_CSV,
    ProcessNames,
    SeenProcess,
    StackMemorySampler,
    classify,
    stack_root_pid,
)

from pizza_ops.stack_lock import LOCK_FILE
from pizza_ops.telemetry import SPANS_FILE, SpanStore, StoredSpan

LOGICAL = {"pizza-kitchen-processor-abc": "kitchen-processor", "pizza-order-api-abc": "order-api"}


def test_a_process_is_a_worker_when_it_runs_a_function_whatever_its_command_line() -> None:
    # Given MiniStack's worker: the emulator's python running a worker script, its function in its environment
    worker = classify(
        False,
        ["/x/.venv-emulator/bin/python", "/tmp/ministack-abc/_worker.py"],
        {
            "AWS_LAMBDA_FUNCTION_NAME": "pizza-kitchen-processor-abc",
        },
    )

    # When and Then it is that function's worker, not the emulator (its path names ministack too)
    assert worker == SeenProcess("worker", "pizza-kitchen-processor-abc", "python")


def test_a_process_forked_but_not_yet_running_its_program_is_not_told_yet() -> None:
    # Given a worker MiniStack has forked and not yet exec'd: its parent's command line and environment
    emulator = ["/x/bin/python", "/x/pizza_ops/deploy/ministack_with_fixes.py"]

    # When it is classified
    seen = classify(False, emulator, {"PATH": "/bin"}, parent_cmdline=emulator)

    # Then it is not taken for a second emulator: it is left for a later sample
    assert seen is None


def test_the_emulator_is_found_by_its_command_line_and_the_root_is_the_receiver() -> None:
    # Given the emulator as pizza up starts it, the root process, and something unexpected
    emulator = classify(
        False, ["/x/bin/python", "/x/pizza_ops/deploy/ministack_with_fixes.py"], {"PATH": "/bin"}, parent_is_root=True
    )
    root = classify(True, ["/x/.venv/bin/python", "/x/.venv/bin/pizza", "up"], {})
    other = classify(False, ["/usr/bin/terraform", "apply"], {})

    # And a process deeper down whose command line names ministack (a worker's script directory)
    deeper = classify(False, ["/x/bin/python", "/tmp/ministack-lambda-pizza-order-api-x/_worker.py"], {})

    # When and Then each is what it looks like: only pizza up's own child is the emulator
    assert emulator is not None and emulator.kind == "emulator"
    assert root is not None and root.kind == "receiver"
    assert other == SeenProcess("other", program="terraform")
    assert deeper == SeenProcess("other", program="python")


def test_workers_are_named_by_their_function_and_numbered_as_they_appear() -> None:
    # Given the names of one run, and the stack's function names
    names = ProcessNames(LOGICAL)
    kitchen = SeenProcess("worker", "pizza-kitchen-processor-abc")

    # When two kitchen workers, a worker of an unknown function and the stack's own processes are named
    first = names.name(101, 1.0, kitchen)
    second = names.name(102, 2.0, kitchen)
    again = names.name(101, 1.0, kitchen)
    reused_pid = names.name(101, 9.0, kitchen)
    unknown = names.name(103, 3.0, SeenProcess("worker", "someone-else"))

    # Then each worker carries its function's logical name and its number; a process keeps its name,
    # and a new process on a reused pid is a new worker
    assert (first, second, again, reused_pid) == (
        "kitchen-processor #1",
        "kitchen-processor #2",
        "kitchen-processor #1",
        "kitchen-processor #3",
    )
    assert unknown == "someone-else #1"
    assert names.name(1, 0.0, SeenProcess("receiver")) == RECEIVER
    assert names.name(2, 0.0, SeenProcess("emulator")) == EMULATOR
    assert names.name(3, 0.0, SeenProcess("other", program="terraform")) == "terraform (pid 3)"


def test_no_stack_is_found_where_no_process_holds_the_lock(tmp_path: Path) -> None:
    # Given a state directory whose lock names a process that has ended
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / LOCK_FILE).write_text(json.dumps({"pid": int(ended.stdout), "emulator": "x"}), encoding="utf-8")

    # When and Then the stack is not found, nor in a directory with no lock at all
    with pytest.raises(ProcessLookupError):
        stack_root_pid(tmp_path)
    with pytest.raises(ProcessLookupError):
        stack_root_pid(tmp_path / "elsewhere")


@pytest.fixture
def stack_children() -> Iterator[None]:
    """Two children of this process standing in for a stack's: an emulator and a kitchen worker."""
    sleeper = "import time; time.sleep(60)"
    worker_env = os.environ | {"AWS_LAMBDA_FUNCTION_NAME": "pizza-kitchen-processor-abc"}
    children = [
        subprocess.Popen([sys.executable, "-c", sleeper, "ministack_with_fixes.py"]),
        subprocess.Popen([sys.executable, "-c", sleeper], env=worker_env),
    ]
    time.sleep(0.3)  # their environments and command lines are readable once they have started
    yield
    for child in children:
        child.kill()
        child.wait()


def test_the_sampler_writes_every_process_of_the_stack_and_the_trace_store_size(
    tmp_path: Path, stack_children: None
) -> None:
    # Given a stack whose lock is held by this process, with an emulator and a worker under it and 3 spans stored
    state = tmp_path / "state"
    state.mkdir()
    (state / LOCK_FILE).write_text(json.dumps({"pid": os.getpid(), "emulator": "x"}), encoding="utf-8")
    (state / "stack.json").write_text(
        json.dumps({"function_names": {"kitchen-processor": "pizza-kitchen-processor-abc"}})
    )
    store = SpanStore(state / SPANS_FILE)
    store.add([StoredSpan(f"{1:032x}", f"{n:016x}", None, "op", "SERVER", "svc", n, n + 1) for n in range(1, 4)])
    store.close()

    # When it samples twice, 0.2 s apart
    sampler = StackMemorySampler(state, tmp_path / "out", interval=0.2)
    sampler.start()
    time.sleep(0.3)
    sampler.stop()

    # Then memory.csv holds each of the three processes at each moment, with its resident memory
    with (tmp_path / "out" / MEMORY_CSV).open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    named = {row["process"] for row in rows}
    assert {RECEIVER, EMULATOR, "kitchen-processor #1"} <= named
    assert len({row["elapsed_s"] for row in rows}) >= 2
    assert all(int(row["rss_bytes"]) > 1_000_000 for row in rows)
    # And stack.csv the trace store's spans and its bytes on disk
    with (tmp_path / "out" / STACK_CSV).open(encoding="utf-8") as file:
        stack = list(csv.DictReader(file))
    assert stack and all(row["spans"] == "3" and int(row["store_bytes"]) > 0 for row in stack)
    assert [s.spans for s in sampler.stack_samples] == [3] * len(stack)
