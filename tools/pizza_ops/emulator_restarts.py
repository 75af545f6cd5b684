"""Restarting a running embedded stack's emulator with its state kept (`pizza chaos emulator-restart`).

`pizza up` owns the emulator process, so another process (`pizza chaos`) cannot restart it itself:
it asks the owner, with SIGHUP to the pid that the state directory's lock names, and learns that
the restart is over from the restarts file, which the owner rewrites after each one. The file
exists only for a stack started with its emulator's state persisted: without that a restart
would start an empty emulator under the running system.
"""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from pizza_ops.stack_lock import LOCK_FILE

RESTARTS_FILE = "emulator-restarts.json"
RESTART_SIGNAL = signal.SIGHUP
_POLL_SECONDS = 0.2


class CannotRestart(RuntimeError):
    """The stack cannot restart its emulator (said in one line)."""


@dataclass(frozen=True)
class EmulatorRestart:
    """The last restart of a stack's emulator (``count`` 0: none yet, though one may be asked for)."""

    count: int
    down_seconds: float = 0.0
    # What the deployment lacked after the restart, by kind and name (nothing: it came back whole).
    missing: tuple[str, ...] = ()
    error: str | None = None


def record_restart(state_dir: Path, restart: EmulatorRestart) -> None:
    """Write ``restart`` as the stack's last (replacing the file whole, so a reader never sees half)."""
    path = state_dir / RESTARTS_FILE
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(asdict(restart)), encoding="utf-8")
    partial.replace(path)


def last_restart(state_dir: Path) -> EmulatorRestart | None:
    """The stack's last restart, or None when its emulator cannot be restarted (no persistence)."""
    path = state_dir / RESTARTS_FILE
    if not path.exists():
        return None
    recorded = json.loads(path.read_text(encoding="utf-8"))
    return EmulatorRestart(
        count=int(recorded["count"]),
        down_seconds=float(recorded["down_seconds"]),
        missing=tuple(recorded["missing"]),
        error=recorded.get("error"),
    )


def forget_restarts(state_dir: Path) -> None:
    (state_dir / RESTARTS_FILE).unlink(missing_ok=True)


def request_restart(state_dir: Path, timeout_seconds: float = 120.0) -> EmulatorRestart:
    """Ask the stack running from ``state_dir`` to restart its emulator, and wait until it has."""
    before = last_restart(state_dir)
    if before is None:
        raise CannotRestart(
            f"the stack of {state_dir} keeps no emulator state, so a restart would empty it: "
            "start it with `pizza up --persist-emulator-state`"
        )
    try:
        owner = int(json.loads((state_dir / LOCK_FILE).read_text(encoding="utf-8"))["pid"])
        os.kill(owner, RESTART_SIGNAL)
    except (OSError, ValueError, KeyError) as error:
        raise CannotRestart(f"no running stack of {state_dir} to ask for a restart ({error})") from None
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        restart = last_restart(state_dir)
        if restart is not None and restart.count > before.count:
            if restart.error:
                raise CannotRestart(f"the emulator restart failed: {restart.error}")
            return restart
        time.sleep(_POLL_SECONDS)
    raise CannotRestart(f"the stack of {state_dir} did not restart its emulator within {timeout_seconds:g} s")
