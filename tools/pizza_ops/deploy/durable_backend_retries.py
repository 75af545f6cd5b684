"""Lambda's backend retries of a durable execution, as the emulator adapter imitates them (fix 9).

AWS: "Backend retries use exponential backoff and continue until the function succeeds or the
execution timeout is reached" (Lambda developer guide, "Retries for Lambda durable functions"), for
an invocation that ended without the SDK's answer: timed out, crashed, out of memory. The guide
gives no figures for the backoff; these are the adapter's.

Run inside the emulator by ministack_with_fixes.py as well as by the tests: standard library only.
"""

from __future__ import annotations

import json

FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 60.0
# What the SDK answers from an invocation it saw to its end.
_DURABLE_STATUSES = frozenset({"PENDING", "SUCCEEDED", "FAILED"})


def durable_status(body: object) -> str | None:
    """The Status the SDK answered (PENDING, SUCCEEDED or FAILED), from an invocation's body as the
    emulator hands it over (bytes, JSON text or parsed); None when the invocation ended without one."""
    if isinstance(body, bytes | bytearray):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except json.JSONDecodeError:
            return None
    if not isinstance(body, dict):
        return None
    status = body.get("Status")
    return status if status in _DURABLE_STATUSES else None


def retry_delay_seconds(failures_in_a_row: int) -> float:
    """How long to wait before invoking again after the given number of failed invocations in a row:
    1 s, doubling each time, at most a minute."""
    return min(FIRST_RETRY_SECONDS * 2 ** max(failures_in_a_row - 1, 0), LONGEST_RETRY_SECONDS)
