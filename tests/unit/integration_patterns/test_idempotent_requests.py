"""Idempotent requests: work runs once per key; a repeat replays its result, a misuse is refused."""

from __future__ import annotations

from typing import Any

import pytest
from in_memory_idempotency_store import InMemoryIdempotencyStore

from integration_patterns.idempotent_requests import IdempotencyKeyReused, IdempotentRequests, RequestInProgress

ORDER = {"customerId": "c-1", "items": [{"pizza": "Margherita", "quantity": 1}]}


class _CountingWork:
    def __init__(self) -> None:
        self.runs = 0

    def __call__(self) -> dict[str, Any]:
        self.runs += 1
        return {"run": self.runs}


class _LambdaContext:
    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def _requests(store: InMemoryIdempotencyStore | None = None, compare_requests: bool = True) -> IdempotentRequests:
    requests = IdempotentRequests(
        store or InMemoryIdempotencyStore(), key_prefix="test", ttl_seconds=60, compare_requests=compare_requests
    )
    requests.register_lambda_context(_LambdaContext(remaining_ms=10_000))
    return requests


def test_work_runs_once_per_key_and_a_repeat_gets_the_first_result_back() -> None:
    # Given a request that ran with key k
    requests, work = _requests(), _CountingWork()
    first = requests.run_once("k", work, request=ORDER)

    # When the same request comes again with the same key
    again = requests.run_once("k", work, request=dict(ORDER))

    # Then the work ran once, and the repeat is the first result, marked as replayed
    assert work.runs == 1
    assert (first.result, first.replayed) == ({"run": 1}, False)
    assert (again.result, again.replayed) == ({"run": 1}, True)


def test_a_key_reused_with_a_different_request_is_refused_and_runs_nothing() -> None:
    # Given a request that ran with key k
    requests, work = _requests(), _CountingWork()
    requests.run_once("k", work, request=ORDER)

    # When another request comes with the same key
    with pytest.raises(IdempotencyKeyReused) as refused:
        requests.run_once("k", work, request={**ORDER, "customerId": "c-2"})

    # Then it is refused, naming the key, and nothing ran for it
    assert refused.value.key == "k"
    assert work.runs == 1


def test_requests_that_differ_only_in_the_order_of_their_fields_are_the_same() -> None:
    # Given a request that ran with key k
    requests, work = _requests(), _CountingWork()
    requests.run_once("k", work, request={"a": 1, "b": {"c": 2, "d": 3}})

    # When the same request comes with its fields in another order
    again = requests.run_once("k", work, request={"b": {"d": 3, "c": 2}, "a": 1})

    # Then it is a repeat
    assert again.replayed
    assert work.runs == 1


def test_a_key_is_in_progress_while_its_work_runs() -> None:
    # Given work that, while it runs, sees a second request with its key (a client's impatient retry)
    requests = _requests()
    seen: list[Exception] = []

    def work() -> dict[str, Any]:
        try:
            requests.run_once("k", _CountingWork(), request=ORDER)
        except RequestInProgress as error:
            seen.append(error)
        return {"done": True}

    # When the first request runs
    requests.run_once("k", work, request=ORDER)

    # Then the second was told the key is in progress, and the first still completed
    assert [e.key for e in seen] == ["k"]
    assert requests.run_once("k", _CountingWork(), request=ORDER).result == {"done": True}


def test_failed_work_is_not_remembered_so_the_key_can_be_used_again_with_a_corrected_request() -> None:
    # Given work that failed with key k
    requests, work = _requests(), _CountingWork()

    def failing() -> dict[str, Any]:
        raise ValueError("the order breaks a rule")

    with pytest.raises(ValueError):
        requests.run_once("k", failing, request={"broken": True})

    # When a corrected request comes with the same key
    completed = requests.run_once("k", work, request=ORDER)

    # Then it runs
    assert (completed.result, completed.replayed) == ({"run": 1}, False)


def test_a_key_runs_again_once_its_record_has_expired() -> None:
    # Given a request that ran with key k, and the TTL has passed
    store = InMemoryIdempotencyStore()
    requests, work = _requests(store), _CountingWork()
    requests.run_once("k", work, request=ORDER)
    store.expire_all()

    # When the key comes again
    again = requests.run_once("k", work, request=ORDER)

    # Then the work runs again
    assert (again.result, again.replayed) == ({"run": 2}, False)


def test_a_pending_key_whose_invocation_ran_out_of_time_is_taken_over() -> None:
    # Given a request pending with key k in an invocation that had no time left (it died there)
    store = InMemoryIdempotencyStore()
    requests, work = _requests(store), _CountingWork()
    requests.register_lambda_context(_LambdaContext(remaining_ms=-1000))
    takeover: list[Any] = []

    def dies_then_is_retried() -> dict[str, Any]:
        # While the first is still recorded as pending, the retry takes the key over
        takeover.append(requests.run_once("k", work, request=ORDER))
        return {"first": True}

    # When the retry comes
    requests.run_once("k", dies_then_is_retried, request=ORDER)

    # Then it ran instead of being told to wait
    assert [(c.result, c.replayed) for c in takeover] == [({"run": 1}, False)]


def test_without_comparison_a_key_replays_whatever_the_request() -> None:
    # Given keys that name one thing each (event ids), whose requests are not compared
    requests, work = _requests(compare_requests=False), _CountingWork()
    requests.run_once("event-1", work)

    # When the key comes again with another request
    again = requests.run_once("event-1", work, request={"other": True})

    # Then it is a repeat
    assert again.replayed
    assert work.runs == 1


def test_records_are_keyed_by_prefix_and_a_hash_of_the_key() -> None:
    # Given a store shared by nothing else
    store = InMemoryIdempotencyStore()

    # When a request runs with a key
    _requests(store).run_once("client-chosen key", _CountingWork(), request=ORDER)

    # Then its record is under the prefix, and the client's key itself is not stored
    [record_key] = store.records
    assert record_key.startswith("test#")
    assert "client-chosen key" not in record_key


def test_an_empty_key_or_ttl_is_rejected() -> None:
    with pytest.raises(ValueError):
        _requests().run_once("", _CountingWork())
    with pytest.raises(ValueError):
        IdempotentRequests(InMemoryIdempotencyStore(), key_prefix="test", ttl_seconds=0)
