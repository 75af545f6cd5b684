"""Idempotent requests: work runs once per key, and a repeat gets the first run's result back.

Built on the Powertools idempotency utility (``idempotent_function``), whose record lifecycle
is this one:

* before the work runs, the key is stored as ``INPROGRESS`` with a conditional write, so two
  concurrent requests with one key cannot both run it (the second gets :class:`RequestInProgress`);
* when the work succeeds the record becomes ``COMPLETED`` with the work's result, kept until
  ``expiration`` (the TTL; DynamoDB's TTL deletes it afterwards); a repeat gets that result back
  without running anything (:attr:`Completed.replayed`);
* when the work raises, the record is deleted: only work that succeeded is remembered, so a
  request that failed can be corrected and sent again with the same key;
* a pending record whose Lambda died is taken over once the invocation's remaining time (the
  ``in_progress_expiration``) has passed, so a crash does not block the key for the TTL.

With ``compare_requests``, the request a key was first used with is remembered too (as a hash):
the same key with a different request raises :class:`IdempotencyKeyReused` instead of replaying
a result that was not for it. Requests are compared as JSON with sorted keys, so pass them parsed
and canonical (a validated model's dump), not as the text they arrived in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.idempotency import BasePersistenceLayer, IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

JsonObject = dict[str, Any]


class IdempotencyKeyReused(Exception):
    """The key was already used with a different request."""

    def __init__(self, key: str) -> None:
        super().__init__(f"key {key!r} was already used with a different request")
        self.key = key


class RequestInProgress(Exception):
    """Another request with the key is still running; retry once it has finished."""

    def __init__(self, key: str) -> None:
        super().__init__(f"a request with key {key!r} is still in progress")
        self.key = key


@dataclass(frozen=True)
class Completed:
    """The work's result: from this run, or (``replayed``) from the first run with the key."""

    result: JsonObject
    replayed: bool


class IdempotentRequests:
    """Runs work at most once per key (see the module docstring).

    ``store`` is a Powertools persistence layer (``DynamoDBPersistenceLayer`` on a table with hash
    key ``id`` and TTL attribute ``expiration``), built once per cold start. Records are keyed
    ``<key_prefix>#<hash of the key>``: give each use of one table its own prefix. Powertools
    configures a store once, with its first user's settings, so give each instance its own store.
    """

    def __init__(
        self, store: BasePersistenceLayer, *, key_prefix: str, ttl_seconds: int, compare_requests: bool = True
    ) -> None:
        if ttl_seconds <= 0:
            raise ValueError("the TTL of idempotency records must be positive")
        self._store = store
        self._key_prefix = key_prefix
        self._ttl_seconds = ttl_seconds
        self._compare_requests = compare_requests
        self._lambda_context: Any = None

    def register_lambda_context(self, context: Any) -> None:
        """The current invocation's context: its remaining time bounds how long a key stays pending."""
        self._lambda_context = context

    def run_once(self, key: str, work: Callable[[], JsonObject], *, request: JsonObject | None = None) -> Completed:
        """Run ``work`` unless ``key`` completed already, then return its result (a JSON object).

        Raises :class:`RequestInProgress` while the key is pending, and (with ``compare_requests``)
        :class:`IdempotencyKeyReused` when ``request`` differs from the key's first request.
        """
        if not key:
            raise ValueError("an idempotency key cannot be empty")
        replayed = False

        def on_replay(response: Any, idempotent_data: Any) -> Any:
            nonlocal replayed
            replayed = True
            return response

        config = IdempotencyConfig(
            event_key_jmespath="key",
            payload_validation_jmespath="request" if self._compare_requests else "",
            raise_on_no_idempotency_key=True,
            expires_after_seconds=self._ttl_seconds,
            response_hook=on_replay,
        )
        if hasattr(self._lambda_context, "get_remaining_time_in_millis"):
            config.register_lambda_context(self._lambda_context)

        @idempotent_function(
            data_keyword_argument="call", persistence_store=self._store, config=config, key_prefix=self._key_prefix
        )
        def record_then_run(call: JsonObject) -> JsonObject:
            return work()

        try:
            result = record_then_run(call={"key": key, "request": request})
        except IdempotencyValidationError as error:
            raise IdempotencyKeyReused(key) from error
        except IdempotencyAlreadyInProgressError as error:
            raise RequestInProgress(key) from error
        # Powertools replays an empty result as None.
        return Completed(result or {}, replayed)
