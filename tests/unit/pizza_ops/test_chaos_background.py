"""Faults injected on a thread beside the load: a fault that failed to go in fails the run."""

from __future__ import annotations

import threading

import pytest

from pizza_ops.chaos.background import Background


class _FaultFailed(RuntimeError):
    pass


def test_what_the_fault_thread_raised_is_raised_when_the_run_leaves_it() -> None:
    # Given fault work that fails at once (say, a deploy of the broken setting refused)
    def work(stop: threading.Event) -> None:
        raise _FaultFailed("the broken setting was refused")

    # When the run's own work ends without error and leaves the block
    # Then the fault's failure is raised there, not lost with its thread
    with pytest.raises(_FaultFailed, match="refused"), Background("faults", work):
        pass


def test_the_work_is_told_to_stop_and_joined_before_the_block_is_left() -> None:
    # Given fault work that runs until told to stop
    stopped = threading.Event()

    def work(stop: threading.Event) -> None:
        stop.wait()
        stopped.set()

    # When the block is left
    with Background("faults", work):
        assert not stopped.is_set()

    # Then the work was stopped and has finished
    assert stopped.is_set()


def test_the_runs_own_failure_comes_first_and_the_thread_is_still_stopped() -> None:
    # Given fault work that fails once told to stop, and a run that fails itself
    stopped = threading.Event()

    def work(stop: threading.Event) -> None:
        stop.wait()
        stopped.set()
        raise _FaultFailed("later")

    # When the run fails inside the block
    # Then its own error is what is raised, and the fault thread was stopped
    with pytest.raises(ValueError, match="the run's own"), Background("faults", work):
        raise ValueError("the run's own")
    assert stopped.is_set()
