"""Faults injected beside the load, on a thread of their own, whose failure is not lost."""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType


class Background:
    """Runs ``work(stop)`` on a thread from ``with`` on; on leaving, ``stop`` is set, the thread joined,
    and anything it raised is raised here (a fault that failed to go in must fail the run, not let
    its checks pass over nothing)."""

    def __init__(self, name: str, work: Callable[[threading.Event], None]) -> None:
        self.stop = threading.Event()
        self._work = work
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        try:
            self._work(self.stop)
        except BaseException as error:  # re-raised by finish()
            self._error = error

    def __enter__(self) -> Background:
        self._thread.start()
        return self

    def finish(self) -> None:
        """Stop the work, wait for it, and raise what it raised (once)."""
        self.stop.set()
        self._thread.join()
        error, self._error = self._error, None
        if error is not None:
            raise error

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc is None:
            self.finish()
        else:  # the run's own failure comes first
            self.stop.set()
            self._thread.join()
