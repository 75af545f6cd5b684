"""`make run` (= `pizza up`): starts everything, serves orders, and stops cleanly."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from integration_support import collection_order, eventually

from pizza_ops.deploy.emulator import free_port


def _port_is_closed(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/", timeout=0.5)
    except httpx.TransportError:
        return True
    return False


def test_pizza_up_serves_orders_and_stops_everything_on_sigterm(tmp_path: Path) -> None:
    # Given `pizza up` started as a user would, on free ports
    emulator_port, otlp_port = free_port(), free_port()
    log = tmp_path / "up.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "pizza_ops", "--state-dir", str(tmp_path / "state"), "up",
             "--emulator-port", str(emulator_port), "--otlp-port", str(otlp_port)],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        # When it reports that the stack is up
        banner = eventually(lambda: "export API=" in log.read_text() and log.read_text(), timeout=90, what="banner")
        api = re.search(r"export API=(\S+)", banner).group(1)  # type: ignore[union-attr]
        # And a second `pizza up` on its state directory refuses, in one line naming it, touching nothing
        second = subprocess.run(
            [sys.executable, "-m", "pizza_ops", "--state-dir", str(tmp_path / "state"), "up",
             "--emulator-port", str(free_port()), "--otlp-port", str(free_port())],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert second.returncode == 1, second.stderr
        assert second.stderr.startswith("pizza: a stack is already running") and second.stderr.count("\n") == 1
        assert f"(pid {process.pid}, emulator http://127.0.0.1:{emulator_port})" in second.stderr
        # Then the printed API takes an order, and the saga (the default workflow) confirms it
        order_id = httpx.post(f"{api}/orders", json=collection_order(), timeout=15).json()["orderId"]
        eventually(
            lambda: httpx.get(f"{api}/orders/{order_id}", timeout=15).json()["status"] == "CONFIRMED",
            timeout=60,
            what="the saga's confirmation",
        )
        assert f"http://127.0.0.1:{otlp_port}/v1/traces" in banner
        # And the first stack's span store survived the second `up`: the order's trace is there
        trace = [sys.executable, "-m", "pizza_ops", "--state-dir", str(tmp_path / "state"), "trace", order_id]
        eventually(lambda: subprocess.run(trace, capture_output=True, timeout=60).returncode == 0, what="the trace")
    finally:
        # And SIGTERM stops it cleanly: exit code 0, emulator and trace receiver gone
        process.send_signal(signal.SIGTERM)
        exit_code = process.wait(timeout=30)
    assert exit_code == 0, log.read_text()
    time.sleep(0.5)
    assert _port_is_closed(emulator_port)
    assert _port_is_closed(otlp_port)
