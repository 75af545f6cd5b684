"""The inbox: each event id runs its work once per consumer, however often it is delivered."""

from __future__ import annotations

import pytest
from in_memory_idempotency_store import InMemoryIdempotencyStore

from integration_patterns.errors import RetryLater
from integration_patterns.inbox import Inbox, InboxOutcome


class _LambdaContext:
    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def _inbox(store: InMemoryIdempotencyStore | None = None, ttl_seconds: int = 3600) -> Inbox:
    inbox = Inbox(store or InMemoryIdempotencyStore(), ttl_seconds)
    inbox.register_lambda_context(_LambdaContext())
    return inbox


def test_the_first_delivery_runs_the_work_and_a_repeat_is_a_duplicate_that_runs_nothing() -> None:
    # Given an empty inbox
    inbox, runs = _inbox(), []

    # When the same event id is processed three times
    outcomes = [inbox.process_once("e-1", lambda: runs.append("run")) for _ in range(3)]

    # Then the work ran once; the first was processed, the others duplicates
    assert runs == ["run"]
    assert outcomes == [InboxOutcome.PROCESSED, InboxOutcome.DUPLICATE, InboxOutcome.DUPLICATE]


def test_different_event_ids_each_run_their_work() -> None:
    # Given an inbox / When two events are processed / Then each ran, neither is a duplicate
    inbox, runs = _inbox(), []
    assert inbox.process_once("e-1", lambda: runs.append("e-1")) is InboxOutcome.PROCESSED
    assert inbox.process_once("e-2", lambda: runs.append("e-2")) is InboxOutcome.PROCESSED
    assert runs == ["e-1", "e-2"]


def test_work_that_fails_is_not_remembered_so_the_redelivery_runs_it() -> None:
    # Given work that fails once
    inbox, runs = _inbox(), []

    def fails() -> None:
        runs.append("failed")
        raise ConnectionError("down")

    with pytest.raises(ConnectionError):
        inbox.process_once("e-1", fails)

    # When the event is delivered again / Then it runs, and is processed
    assert inbox.process_once("e-1", lambda: runs.append("ok")) is InboxOutcome.PROCESSED
    assert runs == ["failed", "ok"]


def test_a_delivery_of_an_event_being_processed_is_postponed_without_running() -> None:
    # Given an event whose first delivery is still running
    inbox, runs = _inbox(), []

    def first_delivery() -> None:
        # When a second delivery of it arrives meanwhile / Then it is postponed and runs nothing
        with pytest.raises(RetryLater, match="another delivery of this event is being processed"):
            inbox.process_once("e-1", lambda: runs.append("second"))
        runs.append("first")

    assert inbox.process_once("e-1", first_delivery) is InboxOutcome.PROCESSED
    assert runs == ["first"]


def test_a_processed_event_is_forgotten_after_the_ttl_and_then_runs_again() -> None:
    # Given an event processed once
    store = InMemoryIdempotencyStore()
    inbox, runs = _inbox(store), []
    inbox.process_once("e-1", lambda: runs.append("first"))

    # When its record has expired (the TTL passed) and it comes again
    store.expire_all()
    outcome = inbox.process_once("e-1", lambda: runs.append("again"))

    # Then it runs again: the TTL bounds how long duplicates are recognised
    assert outcome is InboxOutcome.PROCESSED and runs == ["first", "again"]


def test_the_record_names_its_event_and_expires_after_the_ttl() -> None:
    # Given an inbox with a one-hour TTL / When an event is processed
    store = InMemoryIdempotencyStore()
    _inbox(store, ttl_seconds=3600).process_once("e-1", lambda: None)

    # Then one completed record names the event, and expires about an hour from now
    [record] = store.records.values()
    assert record.status == "COMPLETED"
    assert record.response_json_as_dict() == {"eventId": "e-1"}
    import time

    assert 3590 <= record.expiry_timestamp - time.time() <= 3610
