"""`pizza chaos emulator-restart`: the emulator stopped and started again mid-flow, its state kept.

On a `pizza up --persist-emulator-state` of its own (started as a user would, on free ports): a
restart of the session's shared stack would cut every other test's work short. The restart goes
the way the CLI's does: SIGHUP to `pizza up`, which restarts its emulator and records it.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from chaos_support import assert_every_promise_held
from integration_support import eventually

from pizza_ops.chaos import ChaosRun, scenarios
from pizza_ops.deploy.emulator import free_port
from pizza_ops.deployed_stack import DeployedStack
from pizza_ops.system import load_system

ORDERS, RATE = 10, 2.0


@contextmanager
def _pizza_up_keeping_emulator_state(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """`pizza up --persist-emulator-state` until the block ends; its state directory and its output."""
    state_dir, log = tmp_path / "state", tmp_path / "up.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "pizza_ops", "--state-dir", str(state_dir), "up", "--persist-emulator-state",
             "--emulator-port", str(free_port()), "--otlp-port", str(free_port())],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        eventually(lambda: "export API=" in log.read_text(), timeout=180, what="pizza up's banner")
        yield state_dir, log
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, log.read_text()


def test_an_emulator_restart_mid_flow_leaves_no_order_stuck_and_no_effect_twice(tmp_path: Path) -> None:
    # Given a stack whose emulator keeps its state across a restart
    with _pizza_up_keeping_emulator_state(tmp_path) as (state_dir, up_log):
        # When 10 orders go through the saga at 2/s, and once all are answered the emulator is
        # stopped and started again while orders are still on their way
        result = scenarios()["emulator-restart"].run(
            ChaosRun(DeployedStack(state_dir), load_system(), ORDERS, RATE, "saga")
        )
        printed = up_log.read_text()

    # Then the emulator really went down with orders on their way, and came back whole; every
    # order ended, each effect once, none stuck, no outbox event left unsent
    assert_every_promise_held(result, ORDERS)
    assert result.faults >= 1
    assert re.search(r"emulator restarted with its state \(\d+\.\d s down\)\n", printed), printed
    assert result.load.completed == ORDERS
    assert result.recovered == result.faults
