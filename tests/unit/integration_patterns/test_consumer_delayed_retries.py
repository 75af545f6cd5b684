"""The consumer with delayed retries: a postponed record comes back after the backoff's growing delay
(its visibility changed on the queue), and once its attempts are used up it is dead-lettered with
the reason instead of failing again. Without retries, a postponed record just fails, as before."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools import Logger
from consumer_support import (
    THINGS,
    RecordingDeadLetterSink,
    ShipThing,
    failed_ids,
    sqs_event,
    sqs_record,
    thing_event,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from integration_patterns.consumer import CloudEventConsumer, SpanFacts, TraceMode
from integration_patterns.delayed_retries import Backoff, DelayedRetries
from integration_patterns.errors import RetryLater

QUEUE_URL = "https://sqs.test/000000000000/webhooks"
# 5 attempts; steps 10, 20, 40, 80 s, capped at 60 s.
BACKOFF = Backoff(base_seconds=10, cap_seconds=60, max_attempts=5)


class RecordingSqs:
    def __init__(self) -> None:
        self.visibility_changes: list[dict[str, Any]] = []

    def change_message_visibility(self, **request: Any) -> dict[str, Any]:
        self.visibility_changes.append(request)
        return {}


def _handler(fail: dict[str, Exception]):  # type: ignore[no-untyped-def]
    def handle(command: ShipThing) -> SpanFacts:
        if command.thing_id in fail:
            raise fail[command.thing_id]
        return {}

    return handle


def _consumer(
    fail: dict[str, Exception], *, with_retries: bool = True
) -> tuple[CloudEventConsumer[ShipThing], RecordingDeadLetterSink, RecordingSqs]:
    sink, sqs = RecordingDeadLetterSink(), RecordingSqs()
    # The jitter draws its highest: the delay is the whole step, so it can be stated exactly.
    retries = DelayedRetries(sqs, QUEUE_URL, BACKOFF, draw=lambda: 1.0) if with_retries else None
    consumer = CloudEventConsumer(
        THINGS,
        _handler(fail),
        trace_mode=TraceMode.CONTINUE,
        dead_letter=sink,
        logger=Logger(service="tests"),
        retries=retries,
    )
    return consumer, sink, sqs


def _received(message_id: str, thing_id: str, receive_count: int) -> dict[str, Any]:
    record = sqs_record(message_id, thing_event(thing_id, event_id=f"e-{message_id}"))
    record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
    return record


@pytest.mark.parametrize(("receive_count", "delay"), [(1, 10), (2, 20), (3, 40), (4, 60)])
def test_a_postponed_record_fails_and_comes_back_after_the_backoffs_delay_for_its_attempt(
    receive_count: int, delay: int
) -> None:
    # Given a handler that says "later" for t-1, on its Nth receive (before the last)
    consumer, sink, sqs = _consumer({"t-1": RetryLater("receiver answered 503")})

    # When the record is processed
    response = consumer.process(sqs_event(_received("m-1", "t-1", receive_count)))

    # Then it is reported failed, not dead-lettered, and hidden for that attempt's delay
    assert failed_ids(response) == ["m-1"]
    assert sink.sent == []
    assert sqs.visibility_changes == [
        {"QueueUrl": QUEUE_URL, "ReceiptHandle": "receipt-m-1", "VisibilityTimeout": delay}
    ]


@pytest.mark.parametrize("receive_count", [5, 6, 50])
def test_on_its_last_attempt_a_postponed_record_is_dead_lettered_with_the_reason_and_not_failed(
    receive_count: int,
) -> None:
    # Given a record received for the 5th time (or more), still postponed
    consumer, sink, sqs = _consumer({"t-1": RetryLater("receiver answered 503")})

    # When it is processed
    response = consumer.process(sqs_event(_received("m-1", "t-1", receive_count)))

    # Then it is dead-lettered saying it gave up and why, and not failed (so SQS deletes it)
    assert failed_ids(response) == []
    assert sink.sent == [("m-1", f"gave up after {receive_count} attempts: receiver answered 503")]
    assert sqs.visibility_changes == []


def test_one_record_giving_up_and_one_postponed_in_the_same_batch_go_their_own_ways() -> None:
    # Given a batch: m-1 on its last attempt, m-2 on its first, m-3 fine
    consumer, sink, sqs = _consumer({"t-1": RetryLater("down"), "t-2": RetryLater("down")})
    batch = sqs_event(_received("m-1", "t-1", 5), _received("m-2", "t-2", 1), _received("m-3", "t-3", 1))

    # When it is processed
    response = consumer.process(batch)

    # Then only m-2 fails (postponed by 10 s), m-1 is dead-lettered, m-3 succeeds
    assert failed_ids(response) == ["m-2"]
    assert sink.sent == [("m-1", "gave up after 5 attempts: down")]
    assert [change["ReceiptHandle"] for change in sqs.visibility_changes] == ["receipt-m-2"]


def test_a_postponement_is_traced_with_its_delay_and_a_give_up_as_a_rejection(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given one record postponed on its 2nd receive and one giving up on its 5th
    consumer, _, _ = _consumer({"t-1": RetryLater("slow"), "t-2": RetryLater("slow")})

    # When both are processed
    consumer.process(sqs_event(_received("m-1", "t-1", 2), _received("m-2", "t-2", 5)))

    # Then the first span carries the delay and is no error; the second is an error naming the reason
    postponed, gave_up = finished_spans.get_finished_spans()
    assert postponed.attributes is not None and gave_up.attributes is not None
    assert postponed.attributes["messaging.retry.delay_seconds"] == 20
    assert postponed.status.status_code is not StatusCode.ERROR
    assert gave_up.attributes["messaging.dead_letter.reason"] == "gave up after 5 attempts: slow"
    assert gave_up.status.status_code is StatusCode.ERROR


def test_without_retries_a_postponed_record_only_fails_whatever_its_receive_count() -> None:
    # Given a consumer without delayed retries, and a record on its 50th receive
    consumer, sink, sqs = _consumer({"t-1": RetryLater("down")}, with_retries=False)

    # When it is postponed
    response = consumer.process(sqs_event(_received("m-1", "t-1", 50)))

    # Then it is failed for SQS to redeliver after its visibility timeout, as ever; nothing else
    assert failed_ids(response) == ["m-1"]
    assert sink.sent == [] and sqs.visibility_changes == []


def test_retries_change_nothing_for_other_failures_which_sqs_retries_and_dead_letters_itself() -> None:
    # Given delayed retries, and a handler failing unexpectedly on what would be the last attempt
    consumer, sink, sqs = _consumer({"t-1": ConnectionError("store unreachable")})

    # When it is processed
    response = consumer.process(sqs_event(_received("m-1", "t-1", 5)))

    # Then it only fails: no delay is set, and the consumer dead-letters nothing itself
    assert failed_ids(response) == ["m-1"]
    assert sink.sent == [] and sqs.visibility_changes == []
