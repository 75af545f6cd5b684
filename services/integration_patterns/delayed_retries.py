"""Retrying a queued message later and later, then giving up with the reason.

SQS redelivers a failed message when its visibility timeout ends: the same delay every time, and a
receiver that is down gets hammered at a fixed rhythm. Here a failed attempt instead sets the
message's visibility to a delay that doubles with each receive (from ``base_seconds``, at most
``cap_seconds``), with jitter so messages that failed together do not come back together: "equal
jitter", a delay between half and all of the doubled step, so delays still grow attempt by
attempt. After ``max_attempts`` receives the message is dead-lettered by the consumer with the last
failure as its reason, instead of burning the queue's own receive count with no reason kept.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# SQS's longest visibility timeout: 12 hours.
MAX_VISIBILITY_SECONDS = 43200


@dataclass(frozen=True)
class Backoff:
    base_seconds: int
    cap_seconds: int
    max_attempts: int

    def __post_init__(self) -> None:
        if not 1 <= self.base_seconds <= self.cap_seconds <= MAX_VISIBILITY_SECONDS:
            raise ValueError("backoff needs 1 <= base <= cap <= 43200 seconds")
        if self.max_attempts < 1:
            raise ValueError("backoff needs at least one attempt")

    def delay_after(self, attempt: int, draw: Callable[[], float] = random.random) -> int:
        """Seconds to wait after failed attempt number ``attempt`` (1 is the first)."""
        step = min(self.cap_seconds, self.base_seconds * 2 ** min(attempt - 1, 32))
        return min(self.cap_seconds, math.ceil(step / 2 + draw() * step / 2))

    def gives_up_after(self, attempt: int) -> bool:
        return attempt >= self.max_attempts


class DelayedRetries:
    """Postpones a failed message on its queue by the backoff's delay (ChangeMessageVisibility)."""

    def __init__(
        self, sqs_client: Any, queue_url: str, backoff: Backoff, draw: Callable[[], float] = random.random
    ) -> None:
        self._sqs = sqs_client
        self._queue_url = queue_url
        self.backoff = backoff
        self._draw = draw

    def postpone(self, receipt_handle: str, attempt: int) -> int:
        """Make the message visible again only after the delay for ``attempt``; returns the delay."""
        delay = self.backoff.delay_after(attempt, self._draw)
        self._sqs.change_message_visibility(
            QueueUrl=self._queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=delay
        )
        return delay
