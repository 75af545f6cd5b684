"""Failure categories that decide what the messaging infrastructure does with a message."""

from __future__ import annotations


class InvalidMessage(Exception):
    """The message can never succeed (malformed, unsupported type, missing fields).

    Retrying is pointless, so consumers log the reason and dead-letter the message at once
    instead of letting it burn its receive count.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLater(Exception):
    """The message cannot be processed yet, but will be (e.g. another delivery of it is in flight).

    Consumers fail only this record, without an error-level log: SQS redelivers it after the
    visibility timeout.
    """
