"""The inbox: each event id is processed once per consumer, however often it is delivered.

Each delivery is an idempotent request keyed by its event id (``idempotent_requests``, on the
Powertools idempotency utility), so the record lifecycle is the inbox's:

* before the business logic runs, the event id is stored as ``INPROGRESS`` (pending), with a
  conditional write, so two concurrent deliveries cannot both run it;
* when the logic succeeds the record becomes ``COMPLETED`` (processed), kept until
  ``expiration`` (the inbox TTL, 7 days by default; DynamoDB's TTL deletes it afterwards);
* when the logic fails the record is deleted, so the redelivery runs it again;
* a pending record whose Lambda died is taken over once the invocation's remaining time (the
  ``in_progress_expiration``) has passed, so a crash does not block the event for the TTL.

A delivery of a completed id is acknowledged without running the logic; one of a pending id is
postponed (:class:`RetryLater`) and redelivered by SQS after the visibility timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer

from integration_patterns.errors import RetryLater
from integration_patterns.idempotent_requests import IdempotentRequests, RequestInProgress

DEFAULT_TTL_SECONDS = 7 * 24 * 3600
_KEY_PREFIX = "inbox"


class InboxOutcome(StrEnum):
    PROCESSED = "processed"
    DUPLICATE = "duplicate"


class Inbox:
    """Runs work at most once per event id (see the module docstring)."""

    def __init__(self, store: BasePersistenceLayer, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        """``store``: a Powertools persistence layer, ``DynamoDBPersistenceLayer`` on the inbox table."""
        # An event id names one event: its deliveries are not compared, only counted once.
        self._requests = IdempotentRequests(
            store, key_prefix=_KEY_PREFIX, ttl_seconds=ttl_seconds, compare_requests=False
        )

    def register_lambda_context(self, context: Any) -> None:
        """The current invocation's context: its remaining time bounds how long an id stays pending."""
        self._requests.register_lambda_context(context)

    def process_once(self, event_id: str, work: Callable[[], None]) -> InboxOutcome:
        """Run ``work`` unless ``event_id`` was processed already; raises RetryLater while it is pending."""

        def process() -> dict[str, str]:
            work()
            # The record names its event (its key is only a hash of the id), for whoever reads the table.
            return {"eventId": event_id}

        try:
            completed = self._requests.run_once(event_id, process)
        except RequestInProgress as error:
            raise RetryLater("another delivery of this event is being processed") from error
        return InboxOutcome.DUPLICATE if completed.replayed else InboxOutcome.PROCESSED
