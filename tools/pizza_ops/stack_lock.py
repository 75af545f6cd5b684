"""One embedded stack per state directory, claimed before anything in the directory is touched.

A second `pizza up` on a running stack's state directory would delete the span store under the
receiver's feet. The claim is an exclusive lock on a small file that names the holder (pid and
emulator endpoint); the kernel drops the lock when its process ends, however it ends, so a stack
that was killed leaves nothing to clean up.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import IO

LOCK_FILE = "up.lock"


class StackAlreadyRunning(RuntimeError):
    """Another process runs a stack from this state directory."""


class StackLock:
    """The claim of one process on a state directory, held from ``acquire`` until ``release``."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LOCK_FILE
        self._handle: IO[str] | None = None

    def acquire(self, emulator_endpoint: str) -> None:
        """Claim the directory, or raise StackAlreadyRunning naming the stack that holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read()
            handle.close()
            raise StackAlreadyRunning(self._refusal(holder)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "emulator": emulator_endpoint}))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Give the claim up (the file stays: removing it could let two later claims both succeed)."""
        if self._handle is not None:
            self._handle.close()  # closing drops the lock
            self._handle = None

    def _refusal(self, holder: str) -> str:
        try:
            recorded = json.loads(holder)
            pid, emulator = int(recorded["pid"]), str(recorded["emulator"])
        except (ValueError, KeyError, TypeError):
            return f"a stack is already running from {self.path.parent} (it holds {self.path}); stop it first"
        return (
            f"a stack is already running from {self.path.parent} (pid {pid}, emulator {emulator}); "
            f"stop it with Ctrl-C in its terminal or `kill {pid}`"
        )
