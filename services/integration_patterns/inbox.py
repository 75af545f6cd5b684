"""The inbox: each event id is processed once per consumer, however often it is delivered.

Built on the Powertools idempotency utility, whose record lifecycle is the inbox's:

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

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

from integration_patterns.errors import RetryLater

DEFAULT_TTL_SECONDS = 7 * 24 * 3600
_KEY_PREFIX = "inbox"


class InboxOutcome(StrEnum):
    PROCESSED = "processed"
    DUPLICATE = "duplicate"


class Inbox:
    """Runs work at most once per event id (see the module docstring)."""

    def __init__(self, dynamodb_client: Any, table_name: str, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> None:
        if ttl_seconds <= 0:
            raise ValueError("the inbox TTL must be positive")
        self._store = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=dynamodb_client)
        self._ttl_seconds = ttl_seconds
        self._lambda_context: Any = None

    def register_lambda_context(self, context: Any) -> None:
        """The current invocation's context: its remaining time bounds how long an id stays pending."""
        self._lambda_context = context

    def process_once(self, event_id: str, work: Callable[[], None]) -> InboxOutcome:
        """Run ``work`` unless ``event_id`` was processed already; raises RetryLater while it is pending."""
        seen_before = False

        def on_duplicate(response: Any, idempotent_data: Any) -> Any:
            nonlocal seen_before
            seen_before = True
            return response

        config = IdempotencyConfig(
            event_key_jmespath="eventId",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=self._ttl_seconds,
            response_hook=on_duplicate,
        )
        if self._lambda_context is not None and hasattr(self._lambda_context, "get_remaining_time_in_millis"):
            config.register_lambda_context(self._lambda_context)

        @idempotent_function(
            data_keyword_argument="delivery", persistence_store=self._store, config=config, key_prefix=_KEY_PREFIX
        )
        def record_then_process(delivery: dict[str, str]) -> dict[str, str]:
            work()
            return {"eventId": delivery["eventId"]}

        try:
            record_then_process(delivery={"eventId": event_id})
        except IdempotencyAlreadyInProgressError as error:
            raise RetryLater(f"event {event_id} is being processed by another delivery") from error
        return InboxOutcome.DUPLICATE if seen_before else InboxOutcome.PROCESSED
