"""A log group's events, read stream by stream with GetLogEvents.

Not FilterLogEvents: MiniStack 1.5.33's returns at most 10,000 events and no nextToken, so a busy
group's later events (a long session's) would be missed without a sign.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def log_group_messages(logs: Any, group: str) -> Iterator[tuple[str, str]]:
    """Every event's message of the group, with the name of its stream; each stream oldest first."""
    for streams in logs.get_paginator("describe_log_streams").paginate(logGroupName=group):
        for stream in streams["logStreams"]:
            for message in _stream_messages(logs, group, stream["logStreamName"]):
                yield stream["logStreamName"], message


def _stream_messages(logs: Any, group: str, stream: str) -> Iterator[str]:
    request: dict[str, Any] = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
    while True:
        page = logs.get_log_events(**request)
        yield from (event["message"] for event in page["events"])
        # The end of a stream answers with the token it was given (as AWS does).
        token = page.get("nextForwardToken")
        if not page["events"] or not token or token == request.get("nextToken"):
            return
        request["nextToken"] = token
