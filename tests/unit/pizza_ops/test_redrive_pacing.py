"""The redrive pacer: no more than N starts per second, and no waiting when already slower."""

from __future__ import annotations

import pytest

from pizza_ops.redrive import RatePacer


class FakeClock:
    """A monotonic clock that only moves when something sleeps or time is advanced by hand."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_waits_at_two_per_second_start_half_a_second_apart() -> None:
    # Given a pacer at 2 per second and callers that do no work between waits
    clock = FakeClock()
    pacer = RatePacer(2, clock=clock, sleep=clock.sleep)

    # When it is waited on five times
    starts = []
    for _ in range(5):
        pacer.wait()
        starts.append(clock())

    # Then the first starts at once and each later one 0.5 s after the previous
    assert starts == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0])
    assert clock.sleeps == pytest.approx([0.5, 0.5, 0.5, 0.5])


def test_only_the_remainder_of_the_interval_is_slept() -> None:
    # Given a pacer at 2 per second and work that takes 0.2 s between waits
    clock = FakeClock()
    pacer = RatePacer(2, clock=clock, sleep=clock.sleep)
    pacer.wait()
    clock.now += 0.2

    # When it is waited on again
    pacer.wait()

    # Then it sleeps only the 0.3 s left of the interval
    assert clock.sleeps == pytest.approx([0.3])
    assert clock() == pytest.approx(0.5)


def test_calls_already_slower_than_the_rate_never_sleep() -> None:
    # Given a pacer at 2 per second and work that takes a whole second between waits
    clock = FakeClock()
    pacer = RatePacer(2, clock=clock, sleep=clock.sleep)

    # When it is waited on repeatedly
    for _ in range(4):
        pacer.wait()
        clock.now += 1.0

    # Then it never sleeps
    assert clock.sleeps == []


@pytest.mark.parametrize("rate", [0, -1, -0.5])
def test_a_rate_that_is_not_positive_is_rejected(rate: float) -> None:
    # Given / When a pacer is made with no positive rate / Then it is refused
    with pytest.raises(ValueError, match="positive"):
        RatePacer(rate)
