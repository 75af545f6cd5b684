"""The one CloudEvent consumer: outcomes per record, FIFO order, trace modes, envelopes, the inbox."""

from __future__ import annotations

import pytest
from consumer_support import (
    PRODUCER_SPAN_ID,
    THING_SHIPPED_V2,
    TRACE_ID,
    TRACEPARENT,
    ShipThing,
    failed_ids,
    in_eventbridge_envelope,
    sqs_event,
    sqs_record,
    thing_consumer,
    thing_event,
)
from in_memory_idempotency_store import InMemoryIdempotencyStore
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.consumer import SpanFacts, TraceMode
from integration_patterns.errors import InvalidMessage, RetryLater
from integration_patterns.inbox import Inbox


class ThingLost(LookupError):
    """A domain error the consumer declares as never worth retrying."""


def _recording(handled: list[ShipThing], fail: dict[str, Exception] | None = None):  # type: ignore[no-untyped-def]
    def handle(command: ShipThing) -> SpanFacts:
        handled.append(command)
        if fail and command.thing_id in fail:
            raise fail[command.thing_id]
        return {"thing.outcome": "shipped"}

    return handle


def test_each_record_is_translated_and_handled_and_a_batch_that_succeeds_reports_no_failures() -> None:
    # Given a batch of two events, v1 and v2
    handled: list[ShipThing] = []
    consumer, sink = thing_consumer(_recording(handled))
    event = sqs_event(
        sqs_record("m-1", thing_event("t-1")), sqs_record("m-2", thing_event("t-2", event_type=THING_SHIPPED_V2))
    )

    # When the batch is processed
    response = consumer.process(event)

    # Then both were handled in the consumer's own terms, and nothing failed or was dead-lettered
    assert handled == [ShipThing("t-1", 1), ShipThing("t-2", 2)]
    assert failed_ids(response) == [] and sink.sent == []


def test_a_failing_record_is_the_only_one_reported_failed_so_only_it_is_retried() -> None:
    # Given a batch of three where the second record's handler fails unexpectedly
    handled: list[ShipThing] = []
    consumer, sink = thing_consumer(_recording(handled, {"t-2": ConnectionError("store unreachable")}))
    records = [sqs_record(f"m-{n}", thing_event(f"t-{n}", event_id=f"e-{n}")) for n in (1, 2, 3)]

    # When the batch is processed
    response = consumer.process(sqs_event(*records))

    # Then only that record goes back to the queue, the others succeed, and nothing is dead-lettered
    assert failed_ids(response) == ["m-2"]
    assert [c.thing_id for c in handled] == ["t-1", "t-2", "t-3"]
    assert sink.sent == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("not json at all", "body: not JSON"),
        ("[" * 5000 + "]" * 5000, "body: nested deeper than 32 levels"),
        ('{"a":' * 40 + "1" + "}" * 40, "body: nested deeper than 32 levels"),
        ("[1, 2]", "not a structured CloudEvent"),
        (
            '{"id": "e-1", "source": "/s", "type": "com.example.thing.shipped.v1", "data": [1]}',
            "data: must be a JSON object",
        ),
    ],
)
def test_a_body_that_can_never_be_an_event_is_dead_lettered_at_once_with_a_reason_naming_the_rule(
    body: str, reason: str
) -> None:
    # Given a record whose body is no CloudEvent (tried: text, deep nesting both ways, a list, list data)
    handled: list[ShipThing] = []
    consumer, sink = thing_consumer(_recording(handled))

    # When it is processed
    response = consumer.process(sqs_event(sqs_record("m-1", body)))

    # Then it is not retried, the handler never ran, and the DLQ gets it with the reason
    assert failed_ids(response) == [] and handled == []
    assert sink.sent == [("m-1", pytest.approx(sink.sent[0][1]))]
    assert reason in sink.sent[0][1]


def test_an_over_long_context_attribute_is_refused_before_any_work_naming_the_attribute_not_its_value() -> None:
    # Given an event whose correlationid is 3,000 characters (no key store could hold it)
    handled: list[ShipThing] = []
    consumer, sink = thing_consumer(_recording(handled))
    body = thing_event(extensions={"correlationid": "x" * 3000})

    # When it is processed
    consumer.process(sqs_event(sqs_record("m-1", body)))

    # Then it is dead-lettered at once with a reason naming the attribute and the limit, never the value
    [(_, reason)] = sink.sent
    assert reason == "attribute correlationid: longer than 512 characters"
    assert handled == []


def test_an_over_long_business_key_is_refused_by_the_translation_naming_the_field() -> None:
    # Given an event whose thingId is 3,000 characters
    handled: list[ShipThing] = []
    consumer, sink = thing_consumer(_recording(handled))

    # When it is processed
    consumer.process(sqs_event(sqs_record("m-1", thing_event("t" * 3000))))

    # Then it is dead-lettered with the field's path and rule, and the value is not quoted
    [(_, reason)] = sink.sent
    assert reason.startswith("data is not a valid shipped thing: thingId: String should have at most 256 characters")
    assert "ttt" not in reason and handled == []


def test_an_unsupported_type_or_version_is_dead_lettered_naming_what_is_supported_not_what_came() -> None:
    # Given events of a version and of a type the consumer does not take
    handled: list[ShipThing] = []
    consumer, sink = thing_consumer(_recording(handled))
    records = [
        sqs_record("m-1", thing_event(event_type=EventType("com.example.thing.shipped", 3))),
        sqs_record("m-2", thing_event(event_type=EventType("com.example.secret-name", 1))),
    ]

    # When they are processed
    consumer.process(sqs_event(*records))

    # Then both go to the DLQ at once, their reasons listing what is supported and not quoting the type
    assert [message_id for message_id, _ in sink.sent] == ["m-1", "m-2"]
    for _, reason in sink.sent:
        assert reason == (
            "type: not one the thing service supports"
            " (supported: com.example.thing.shipped.v1, com.example.thing.shipped.v2)"
        )
    assert handled == []


def test_a_declared_domain_error_is_dead_lettered_with_its_reason_and_others_are_retried() -> None:
    # Given a consumer that declares ThingLost as never worth retrying
    handled: list[ShipThing] = []
    fail = {"t-1": ThingLost("the thing is unknown here"), "t-2": KeyError("not declared")}
    consumer, sink = thing_consumer(_recording(handled, fail), rejects=(ThingLost,))

    # When a record raises it, and another raises an undeclared error
    response = consumer.process(sqs_event(sqs_record("m-1", thing_event("t-1")), sqs_record("m-2", thing_event("t-2"))))

    # Then the first is dead-lettered at once with the error's reason; the second is retried
    assert sink.sent == [("m-1", "ThingLost: the thing is unknown here")]
    assert failed_ids(response) == ["m-2"]


def test_a_record_postponed_with_retry_later_is_reported_failed_and_not_dead_lettered(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given a handler that cannot process a record yet
    consumer, sink = thing_consumer(_recording([], {"t-1": RetryLater("another delivery is in flight")}))

    # When it is processed
    response = consumer.process(sqs_event(sqs_record("m-1", thing_event())))

    # Then it goes back to the queue, is not dead-lettered, and its span is not an error
    assert failed_ids(response) == ["m-1"] and sink.sent == []
    [span] = finished_spans.get_finished_spans()
    assert span.status.status_code is not StatusCode.ERROR
    assert span.attributes["messaging.postponed.reason"] == "another delivery is in flight"


def test_a_failure_in_a_fifo_group_fails_the_rest_of_that_group_while_other_groups_continue() -> None:
    # Given a FIFO batch interleaving groups A and B, where A's first message fails
    handled: list[ShipThing] = []
    consumer, _ = thing_consumer(_recording(handled, {"a-1": ConnectionError("down")}))
    records = [
        sqs_record("m-a1", thing_event("a-1"), queue="q.fifo", group_id="A"),
        sqs_record("m-b1", thing_event("b-1"), queue="q.fifo", group_id="B"),
        sqs_record("m-a2", thing_event("a-2"), queue="q.fifo", group_id="A"),
    ]

    # When the batch is processed
    response = consumer.process(sqs_event(*records))

    # Then A's later message fails without being handled (it must not overtake a-1), and B succeeds
    assert sorted(failed_ids(response)) == ["m-a1", "m-a2"]
    assert [c.thing_id for c in handled] == ["a-1", "b-1"]


def test_continue_makes_the_consumer_span_a_child_of_the_producers_span_from_message_attributes(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given a record carrying the producer's trace context in its message attributes
    consumer, _ = thing_consumer(_recording([]), trace_mode=TraceMode.CONTINUE)
    attributes = {"traceparent": {"stringValue": TRACEPARENT, "dataType": "String"}}

    # When it is processed
    consumer.process(sqs_event(sqs_record("m-1", thing_event(), queue="orders", message_attributes=attributes)))

    # Then one CONSUMER span, child of the producer's, names the queue, the event, the entity and the outcome
    [span] = finished_spans.get_finished_spans()
    assert span.kind is SpanKind.CONSUMER and span.name == "process orders"
    assert span.context.trace_id == TRACE_ID and span.parent is not None and span.parent.span_id == PRODUCER_SPAN_ID
    assert span.attributes["cloudevents.event_id"] == "e-1"
    assert span.attributes["thing.id"] == "t-1"
    assert span.attributes["thing.outcome"] == "shipped"
    assert span.attributes["messaging.delivery.envelope"] == "none"


def test_continue_falls_back_to_the_trace_context_inside_the_event_where_the_channel_has_no_attributes(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given a record without message attributes whose event carries traceparent (a schedule, a bus)
    consumer, _ = thing_consumer(_recording([]), trace_mode=TraceMode.CONTINUE)

    # When it is processed
    consumer.process(sqs_event(sqs_record("m-1", thing_event(extensions={"traceparent": TRACEPARENT}))))

    # Then the span still continues the producer's trace
    [span] = finished_spans.get_finished_spans()
    assert span.context.trace_id == TRACE_ID and span.parent is not None and span.parent.span_id == PRODUCER_SPAN_ID


@pytest.mark.parametrize("envelope", [False, True])
def test_link_starts_a_new_trace_linked_to_the_publisher_whatever_the_envelope(
    finished_spans: InMemorySpanExporter, envelope: bool
) -> None:
    # Given an event carrying the publisher's trace context, raw or inside EventBridge's envelope
    handled: list[ShipThing] = []
    consumer, _ = thing_consumer(_recording(handled), trace_mode=TraceMode.LINK)
    body = thing_event(extensions={"traceparent": TRACEPARENT})
    body = in_eventbridge_envelope(body) if envelope else body

    # When it is processed
    consumer.process(sqs_event(sqs_record("m-1", body)))

    # Then the same event was handled, in a new trace (no parent) whose span links to the publisher
    assert handled == [ShipThing("t-1", 1)]
    [span] = finished_spans.get_finished_spans()
    assert span.parent is None and span.context.trace_id != TRACE_ID
    assert [link.context.span_id for link in span.links] == [PRODUCER_SPAN_ID]
    assert span.attributes["messaging.delivery.envelope"] == ("eventbridge" if envelope else "none")


def test_a_rejected_record_marks_its_span_as_an_error_with_the_reason(finished_spans: InMemorySpanExporter) -> None:
    # Given an undecipherable record under LINK (nothing to link to)
    consumer, _ = thing_consumer(_recording([]), trace_mode=TraceMode.LINK)

    # When it is processed
    consumer.process(sqs_event(sqs_record("m-1", "nope")))

    # Then its span exists, has no links, is an error, and says why it was dead-lettered
    [span] = finished_spans.get_finished_spans()
    assert span.links == () or list(span.links) == []
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["messaging.dead_letter.reason"] == "body: not JSON"


def test_with_an_inbox_a_redelivered_event_is_acknowledged_without_running_the_handler_again(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given an inboxed consumer and two deliveries of one event (its id), in separate batches
    handled: list[ShipThing] = []
    consumer, sink = thing_consumer(_recording(handled), inbox=Inbox(InMemoryIdempotencyStore()))
    body = thing_event(event_id="e-7")

    # When both are processed
    first = consumer.process(sqs_event(sqs_record("m-1", body)))
    second = consumer.process(sqs_event(sqs_record("m-2", in_eventbridge_envelope(body))))

    # Then the handler ran once, both deliveries succeeded, and the spans tell processed from duplicate
    assert handled == [ShipThing("t-1", 1)]
    assert failed_ids(first) == failed_ids(second) == [] and sink.sent == []
    outcomes = [span.attributes["messaging.inbox.outcome"] for span in finished_spans.get_finished_spans()]
    assert outcomes == ["processed", "duplicate"]


def test_with_an_inbox_a_failed_run_is_forgotten_so_the_redelivery_runs_it_again() -> None:
    # Given an inboxed consumer whose handler fails on the first delivery only
    attempts: list[str] = []

    def flaky(command: ShipThing) -> None:
        attempts.append(command.thing_id)
        if len(attempts) == 1:
            raise ConnectionError("store unreachable")

    consumer, _ = thing_consumer(flaky, inbox=Inbox(InMemoryIdempotencyStore()))
    body = thing_event(event_id="e-8")

    # When the event is delivered twice
    first = consumer.process(sqs_event(sqs_record("m-1", body)))
    second = consumer.process(sqs_event(sqs_record("m-1", body)))

    # Then the first is retried, and the second delivery runs the handler again and succeeds
    assert failed_ids(first) == ["m-1"] and failed_ids(second) == []
    assert attempts == ["t-1", "t-1"]


def test_with_an_inbox_a_delivery_of_an_event_still_in_progress_is_postponed_not_run_twice() -> None:
    # Given an inbox where the event is pending (another delivery is running it)
    store = InMemoryIdempotencyStore()
    inbox = Inbox(store)
    handled: list[ShipThing] = []
    consumer, sink = thing_consumer(_recording(handled), inbox=inbox)
    body = thing_event(event_id="e-9")

    def nested_delivery(command: ShipThing) -> None:
        # While the first delivery runs, a second copy of the same event arrives
        handled.append(command)
        response = consumer.process(sqs_event(sqs_record("m-2", body)))
        assert failed_ids(response) == ["m-2"]

    outer, _ = thing_consumer(nested_delivery, inbox=inbox)

    # When the first delivery runs
    response = outer.process(sqs_event(sqs_record("m-1", body)))

    # Then the copy was postponed (failed without running or dead-lettering) and the first succeeded
    assert failed_ids(response) == [] and handled == [ShipThing("t-1", 1)] and sink.sent == []


def test_an_invalid_message_raised_by_the_handler_is_dead_lettered_too() -> None:
    # Given a handler that finds the message can never succeed
    consumer, sink = thing_consumer(_recording([], {"t-1": InvalidMessage("thingId: retired")}))

    # When it is processed / Then it is dead-lettered with that reason and not retried
    assert failed_ids(consumer.process(sqs_event(sqs_record("m-1", thing_event())))) == []
    assert sink.sent == [("m-1", "thingId: retired")]
