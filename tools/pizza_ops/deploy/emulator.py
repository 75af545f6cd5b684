"""MiniStack, the embedded AWS emulator, as a managed subprocess bound to loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

# Variables that would make the emulator's Lambda workers talk to the wrong place, or import
# the developer's checkout instead of the code their zip carries.
_SCRUBBED_ENV_PREFIXES = ("AWS_", "OTEL_", "PYTHONPATH", "VIRTUAL_ENV", "POWERTOOLS_")


MINISTACK_WITH_FIXES = Path(__file__).with_name("ministack_with_fixes.py")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class MiniStackProcess:
    """Starts ``python -m ministack`` and waits until it reports healthy; stops it cleanly."""

    def __init__(self, python: Path, port: int, log_path: Path, host: str = "127.0.0.1") -> None:
        self.python = python
        self.port = port
        self.host = host
        self.log_path = log_path
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
        self._wait_healthy(timeout_seconds)

    def _wait_healthy(self, timeout_seconds: float) -> None:
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"MiniStack exited with {self._process.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.endpoint}/_ministack/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise TimeoutError(f"MiniStack not healthy within {timeout_seconds}s; see {self.log_path}")

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
