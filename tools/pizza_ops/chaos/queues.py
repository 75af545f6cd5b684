"""Waiting on queues while faults are injected: their depths, until they hold or drain."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any


def depth(sqs: Any, queue_url: str) -> int:
    """Messages in the queue, visible or in flight."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def wait_until(condition: Callable[[], bool], timeout: float, every: float = 1.0) -> bool:
    """Whether ``condition`` became true within ``timeout`` seconds (asked every ``every``)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)
    return True


def wait_for_empty(sqs: Any, queue_urls: Collection[str], timeout: float) -> bool:
    """Whether every queue emptied (nothing visible, nothing in flight) within ``timeout`` seconds."""
    return wait_until(lambda: all(depth(sqs, url) == 0 for url in queue_urls), timeout)
