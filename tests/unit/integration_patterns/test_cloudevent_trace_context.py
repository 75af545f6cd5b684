"""Trace context inside the CloudEvent (traceparent/tracestate extensions), whichever channel carries it."""

from __future__ import annotations

import pytest
from cloudevents.core.v1.event import CloudEvent
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from integration_patterns.cloudevents_envelope import EventType, from_json, new_event, to_json
from integration_patterns.event_tracing import TRACEPARENT, producer_span_context, with_current_trace_context

THING_HAPPENED_V1 = EventType("com.example.thing.happened", 1)
TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C
PRODUCER_SPAN_ID = 0xB7AD6B7169203331

_tracer = trace.get_tracer(__name__)


def _event(**extensions: str) -> CloudEvent:
    return new_event(THING_HAPPENED_V1, "/example/producer", {"thingId": "t-1"}, extensions=extensions)


def test_inside_a_span_the_event_gets_a_traceparent_naming_that_span(finished_spans: InMemorySpanExporter) -> None:
    # Given an event built inside an active span
    event = _event()
    with _tracer.start_as_current_span("produce") as span:
        # When the current trace context is added to it
        traced = with_current_trace_context(event)
    context = span.get_span_context()

    # Then it carries a W3C traceparent whose trace and span ids are the active span's
    assert (
        traced.get_attributes()[TRACEPARENT]
        == f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"
    )
    # And the rest of the event is unchanged, and the original is left as it was
    assert traced.get_id() == event.get_id()
    assert traced.get_type() == event.get_type()
    assert traced.get_data() == event.get_data()
    assert TRACEPARENT not in event.get_attributes()


def test_the_producer_span_is_read_back_from_the_event_after_a_json_round_trip(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given an event that got its trace context inside a span, then travelled as JSON
    with _tracer.start_as_current_span("produce") as span:
        body = to_json(with_current_trace_context(_event()))

    # When the consumer reads the producer's span context from it
    producer = producer_span_context(from_json(body))

    # Then it is the producer's span, as a remote context
    assert producer is not None
    assert producer.trace_id == span.get_span_context().trace_id
    assert producer.span_id == span.get_span_context().span_id
    assert producer.is_remote


def test_outside_any_span_no_traceparent_is_added(finished_spans: InMemorySpanExporter) -> None:
    # Given no active span / When trace context is added / Then there is none to add
    traced = with_current_trace_context(_event())
    assert TRACEPARENT not in traced.get_attributes()
    assert producer_span_context(traced) is None


def test_a_tracestate_travels_with_the_traceparent() -> None:
    # Given an event carrying a traceparent and a vendor's tracestate
    event = _event(
        traceparent=f"00-{TRACE_ID:032x}-{PRODUCER_SPAN_ID:016x}-01",
        tracestate="vendor=opaque-value",
    )

    # When the producer's span context is read / Then both are in it
    producer = producer_span_context(event)
    assert producer is not None
    assert (producer.trace_id, producer.span_id) == (TRACE_ID, PRODUCER_SPAN_ID)
    assert producer.trace_state.get("vendor") == "opaque-value"


def test_an_event_without_trace_context_has_no_producer_span() -> None:
    # Given an event with no traceparent / When it is read / Then there is no producer span
    assert producer_span_context(_event()) is None
    assert producer_span_context(_event(tracestate="vendor=opaque-value")) is None


@pytest.mark.parametrize(
    "traceparent",
    [
        "not-a-traceparent",
        f"00-{TRACE_ID:032x}-{PRODUCER_SPAN_ID:016x}",
        f"00-{0:032x}-{PRODUCER_SPAN_ID:016x}-01",
        f"00-{TRACE_ID:032x}-{0:016x}-01",
    ],
    ids=["garbage", "missing flags", "all-zero trace id", "all-zero span id"],
)
def test_a_malformed_traceparent_is_no_producer_span(traceparent: str) -> None:
    # Given an event whose traceparent is not a valid W3C trace context
    # When it is read / Then it is ignored rather than failing the message
    assert producer_span_context(_event(traceparent=traceparent)) is None
