"""Sending many messages in few calls: SQS SendMessageBatch, SNS PublishBatch, EventBridge PutEvents.

Each of those takes at most 10 entries, and at most 256 KiB in all (SQS now takes 1 MiB, but a
queue's own limit may still be 256 KiB, and so are SNS and EventBridge). A batch call reports each
entry's refusal in its response, not as an error: a sender turns each into an outcome per entry,
so its caller retries exactly the entries that did not go out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

MAX_BATCH_ENTRIES = 10
MAX_BATCH_BYTES = 256 * 1024

T = TypeVar("T")

# Per entry of a batch, in order: None when it was sent, else the error that kept it back.
SendOutcomes = list[Exception | None]


class BatchEntryRefused(RuntimeError):
    """The service refused one entry of a batch call (the others may have gone out)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def batches(
    entries: Sequence[T],
    size_of: Callable[[T], int],
    max_entries: int = MAX_BATCH_ENTRIES,
    max_bytes: int = MAX_BATCH_BYTES,
) -> Iterator[list[T]]:
    """``entries`` in order, cut into batches within both limits. An entry over ``max_bytes`` on its
    own travels alone, so the service refuses that entry and no other."""
    batch: list[T] = []
    batch_bytes = 0
    for entry in entries:
        size = size_of(entry)
        if batch and (len(batch) == max_entries or batch_bytes + size > max_bytes):
            yield batch
            batch, batch_bytes = [], 0
        batch.append(entry)
        batch_bytes += size
    if batch:
        yield batch


def send_in_batches(
    entries: Sequence[T],
    size_of: Callable[[T], int],
    send: Callable[[list[T]], SendOutcomes],
    max_entries: int = MAX_BATCH_ENTRIES,
) -> SendOutcomes:
    """Call ``send`` per batch; a batch whose call raised counts each of its entries as failed with
    that error (none of them is known to have gone out), and the next batch is still sent."""
    outcomes: SendOutcomes = []
    for batch in batches(entries, size_of, max_entries):
        try:
            outcomes.extend(send(batch))
        except Exception as error:
            outcomes.extend([error] * len(batch))
    return outcomes


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))
