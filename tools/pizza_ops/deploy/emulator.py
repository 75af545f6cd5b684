"""MiniStack, the embedded AWS emulator, as a managed subprocess bound to loopback.

The stack deploys to any `Emulator`: this subprocess by default; the integration tests can hand it
MiniStack in a container instead (tests/emulator_container.py, PIZZA_EMULATOR=container).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import httpx

# Variables that would make the emulator's Lambda workers talk to the wrong place, or import
# the developer's checkout instead of the code their zip carries.
_SCRUBBED_ENV_PREFIXES = ("AWS_", "OTEL_", "PYTHONPATH", "VIRTUAL_ENV", "POWERTOOLS_")


MINISTACK_WITH_FIXES = Path(__file__).with_name("ministack_with_fixes.py")
HEALTH_PATH = "/_ministack/health"


class Emulator(Protocol):
    """An AWS emulator the stack deploys to: reachable at ``endpoint`` once ``start`` returns,
    writing its log to ``log_path`` (kept after ``stop``, for failures to point at)."""

    @property
    def endpoint(self) -> str: ...

    @property
    def log_path(self) -> Path: ...

    def start(self, timeout_seconds: float = 60) -> None:
        """Start the emulator and return once it reports healthy; raise, naming the log, if it cannot."""

    def stop(self) -> None:
        """Stop the emulator and everything it started; a no-op when it is not running."""


def wait_until_healthy(endpoint: str, exited: Callable[[], str | None], timeout_seconds: float, log_path: Path) -> None:
    """Poll MiniStack's health endpoint until it answers 200. ``exited`` says why the emulator has
    ended (e.g. "exited with 1"), or None while it runs, so a crash fails at once, not at the timeout."""
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        ended = exited()
        if ended is not None:
            raise RuntimeError(f"MiniStack {ended}; see {log_path}")
        try:
            if httpx.get(f"{endpoint}{HEALTH_PATH}", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"MiniStack not healthy within {timeout_seconds}s; see {log_path}")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class MiniStackProcess:
    """Starts ``python -m ministack`` and waits until it reports healthy; stops it cleanly.

    With ``persist_dir``, MiniStack saves its state there when stopped (a clean stop: SIGTERM) and
    loads it when started again (PERSIST_STATE, and S3_PERSIST for object bodies, which it writes
    as they are put). What it keeps and what not: the README's emulator restart section.
    """

    def __init__(
        self, python: Path, port: int, log_path: Path, host: str = "127.0.0.1", persist_dir: Path | None = None
    ) -> None:
        self.python = python
        self.port = port
        self.host = host
        self.log_path = log_path
        self.persist_dir = persist_dir
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout_seconds: float = 60) -> None:
        if not self.python.exists():
            raise FileNotFoundError(f"no emulator interpreter at {self.python}; run `make install` first")
        env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_ENV_PREFIXES)}
        # AUTH: IAM is enforced, as on AWS. Each Lambda runs with its role's credentials under its
        # least-privilege inline policy, and SNS delivers to a queue only if the queue's policy
        # allows that topic, so a missing grant fails here, locally, not first in an AWS account.
        env.update(BIND_HOST=self.host, GATEWAY_PORT=str(self.port), LOG_LEVEL="WARNING", AUTH="true")
        if self.persist_dir is not None:
            env.update(PERSIST_STATE="1", STATE_DIR=str(self.persist_dir), S3_PERSIST="1")
            env.update(S3_DATA_DIR=str(self.persist_dir / "s3"))
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            # MiniStack with fixes for its durable-function defects (see that script).
            [str(self.python), str(MINISTACK_WITH_FIXES)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.log_path.parent,
            # Its own process group, so stopping it also stops the Lambda workers it spawned.
            start_new_session=True,
        )
        log.close()
        try:
            wait_until_healthy(self.endpoint, self._exited, timeout_seconds, self.log_path)
        except TimeoutError:
            self.stop()
            raise

    def _exited(self) -> str | None:
        if self._process is None or self._process.poll() is None:
            return None
        return f"exited with {self._process.returncode}"

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        group = os.getpgid(self._process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self._process.wait(timeout=5)
