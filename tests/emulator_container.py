"""MiniStack in a container (the emulator image, infra/docker/emulator.Dockerfile), started with
testcontainers: the `Emulator` the session's stack deploys to under PIZZA_EMULATOR=container.

A test dependency only (testcontainers is a dev dependency), so it lives here, not in pizza_ops.
The container shares the host's network and binds a free loopback port, so everything the embedded
run reaches on 127.0.0.1 (the OTLP receiver, the webhook receiver) the Lambda workers inside it
reach the same way, and nothing listens beyond this machine.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import docker
from docker.errors import DockerException, ImageNotFound
from testcontainers.core.container import DockerContainer

from pizza_ops.deploy.emulator import wait_until_healthy


class EmulatorUnavailable(Exception):
    """The container cannot be started here (no Docker engine, or no image), said in one line."""


class MiniStackContainer:
    """Starts the emulator image on the host network at ``port``; follows its log into ``log_path``
    while it runs (tests read it as they read the subprocess's), and removes it on stop."""

    def __init__(self, image: str, port: int, log_path: Path, host: str = "127.0.0.1") -> None:
        self.image = image
        self.port = port
        self.host = host
        self.log_path = log_path
        self._container: DockerContainer | None = None
        self._log_follower: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def ensure_available(self) -> None:
        """Raise EmulatorUnavailable, in one line saying what to do, unless the engine has the image."""
        try:
            client = docker.from_env()
            try:
                client.images.get(self.image)
            finally:
                client.close()
        except ImageNotFound:
            raise EmulatorUnavailable(f"no emulator image {self.image}: build it with `make emulator-image`") from None
        except DockerException as error:
            first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise EmulatorUnavailable(f"PIZZA_EMULATOR=container needs a running Docker engine: {first_line}") from None

    def start(self, timeout_seconds: float = 60) -> None:
        self.ensure_available()
        self._container = (
            DockerContainer(self.image)
            # The image's defaults (AUTH=true, as the subprocess runs it) with this run's address.
            .with_env("GATEWAY_PORT", str(self.port))
            .with_env("BIND_HOST", self.host)
            .with_name(f"pizza-ministack-{self.port}")
            # Host networking: no port mapping, 127.0.0.1 means the same on both sides. An init
            # process as PID 1, so SIGTERM stops MiniStack and its Lambda workers are reaped.
            .with_kwargs(network_mode="host", init=True)
        )
        self._container.start()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_follower = threading.Thread(target=self._follow_log, name="ministack-log", daemon=True)
        self._log_follower.start()
        try:
            wait_until_healthy(self.endpoint, self._exited, timeout_seconds, self.log_path)
        except BaseException:
            self.stop()
            raise

    def _follow_log(self) -> None:
        assert self._container is not None
        stream = self._container.get_wrapped_container().logs(stream=True, follow=True)
        with self.log_path.open("ab") as log:
            for chunk in stream:
                log.write(chunk)
                log.flush()

    def _exited(self) -> str | None:
        assert self._container is not None
        wrapped = self._container.get_wrapped_container()
        wrapped.reload()
        if wrapped.status in ("created", "running"):
            return None
        return f"container exited with {wrapped.attrs['State']['ExitCode']}"

    def stop(self) -> None:
        if self._container is None:
            return
        container, self._container = self._container, None
        # Already gone: removing it below is all that is left to do.
        with contextlib.suppress(DockerException):
            container.get_wrapped_container().stop(timeout=10)
        if self._log_follower is not None:
            # The log stream ends with the container, so the whole log is in the state dir now.
            self._log_follower.join(timeout=10)
            self._log_follower = None
        container.stop()  # removes it (and its anonymous volumes)
