"""Backoff for a queued message that keeps failing: the delay doubles per attempt, with equal jitter
(between half and all of the step), up to a cap; after the last attempt it gives up. Postponing a
message sets its visibility on the queue to that delay."""

from __future__ import annotations

from typing import Any

import pytest

from integration_patterns.delayed_retries import MAX_VISIBILITY_SECONDS, Backoff, DelayedRetries

BACKOFF = Backoff(base_seconds=10, cap_seconds=900, max_attempts=8)


def _lowest() -> float:
    return 0.0


def _highest() -> float:
    return 1.0


def _middle() -> float:
    return 0.5


@pytest.mark.parametrize(
    ("attempt", "step"),
    [(1, 10), (2, 20), (3, 40), (4, 80), (5, 160), (6, 320), (7, 640), (8, 900), (9, 900), (40, 900), (10_000, 900)],
)
def test_the_step_doubles_per_attempt_from_the_base_up_to_the_cap(attempt: int, step: int) -> None:
    # Given a backoff from 10 s, capped at 15 minutes
    # When the delay after an attempt is drawn at both ends of the jitter
    # Then the highest draw waits the whole step, and the lowest half of it
    assert BACKOFF.delay_after(attempt, _highest) == step
    assert BACKOFF.delay_after(attempt, _lowest) == step // 2


def test_equal_jitter_spreads_the_delay_over_the_upper_half_of_the_step() -> None:
    # Given the fourth attempt, whose step is 80 s
    # When the jitter draws the middle, Then the delay is three quarters of the step
    assert BACKOFF.delay_after(4, _middle) == 60


def test_an_odd_step_rounds_its_half_up_so_no_delay_is_shorter_than_half() -> None:
    # Given a step of 1 s and of 3 s
    backoff = Backoff(base_seconds=1, cap_seconds=3, max_attempts=3)

    # When the lowest draw is taken, Then the delay is rounded up to whole seconds, never 0
    assert backoff.delay_after(1, _lowest) == 1
    assert Backoff(base_seconds=3, cap_seconds=3, max_attempts=1).delay_after(1, _lowest) == 2


def test_delays_grow_attempt_by_attempt_whatever_the_jitter_draws() -> None:
    # Given the worst luck: the highest draw on one attempt, the lowest on the next
    # When consecutive delays below the cap are compared
    # Then each is at least as long as the one before (half of a doubled step is the whole step)
    for attempt in range(1, 7):
        assert BACKOFF.delay_after(attempt + 1, _lowest) >= BACKOFF.delay_after(attempt, _highest)


def test_the_delay_with_the_real_random_jitter_stays_within_half_and_all_of_the_step() -> None:
    # Given the default draw (random.random)
    # When many delays after attempt 3 (step 40 s) are drawn
    delays = {BACKOFF.delay_after(3) for _ in range(500)}

    # Then every one lies between 20 s and 40 s, and they vary
    assert min(delays) >= 20 and max(delays) <= 40
    assert len(delays) > 1


def test_the_delay_never_passes_the_cap_nor_sqs_longest_visibility_timeout() -> None:
    # Given the longest backoff SQS allows
    backoff = Backoff(base_seconds=60, cap_seconds=MAX_VISIBILITY_SECONDS, max_attempts=50)

    # When the delay after a very late attempt is drawn high, Then it is the cap: 12 hours
    assert backoff.delay_after(50, _highest) == MAX_VISIBILITY_SECONDS == 43200


@pytest.mark.parametrize(("attempt", "gives_up"), [(1, False), (7, False), (8, True), (9, True)])
def test_it_gives_up_after_the_last_attempt(attempt: int, gives_up: bool) -> None:
    # Given 8 attempts, When asked after each, Then it gives up from the 8th on
    assert BACKOFF.gives_up_after(attempt) is gives_up


def test_a_single_attempt_backoff_gives_up_at_once() -> None:
    # Given a backoff of one attempt, When asked after the first, Then it gives up
    assert Backoff(base_seconds=1, cap_seconds=1, max_attempts=1).gives_up_after(1)


@pytest.mark.parametrize(
    ("base", "cap", "attempts", "rule"),
    [
        (0, 900, 8, "base <= cap"),
        (-1, 900, 8, "base <= cap"),
        (901, 900, 8, "base <= cap"),
        (10, MAX_VISIBILITY_SECONDS + 1, 8, "43200"),
        (10, 900, 0, "at least one attempt"),
    ],
)
def test_a_backoff_out_of_range_is_refused_when_built(base: int, cap: int, attempts: int, rule: str) -> None:
    # Given values no queue can honour, When a backoff is built with them, Then it is refused
    with pytest.raises(ValueError, match=rule):
        Backoff(base_seconds=base, cap_seconds=cap, max_attempts=attempts)


class RecordingSqs:
    def __init__(self) -> None:
        self.visibility_changes: list[dict[str, Any]] = []

    def change_message_visibility(self, **request: Any) -> dict[str, Any]:
        self.visibility_changes.append(request)
        return {}


def test_postponing_sets_the_messages_visibility_to_the_backoffs_delay_and_returns_it() -> None:
    # Given delayed retries on a queue, with the jitter drawing high
    sqs = RecordingSqs()
    retries = DelayedRetries(sqs, "https://sqs.test/webhooks", BACKOFF, draw=_highest)

    # When a message that failed its third attempt is postponed
    delay = retries.postpone("receipt-1", attempt=3)

    # Then its visibility is set to that attempt's delay, on that queue, by its receipt handle
    assert delay == 40
    assert sqs.visibility_changes == [
        {"QueueUrl": "https://sqs.test/webhooks", "ReceiptHandle": "receipt-1", "VisibilityTimeout": 40}
    ]
