"""One trace across a durable execution's invocations: a suspension is no error, an error is one."""

from __future__ import annotations

import pytest
from aws_durable_execution_sdk_python.exceptions import SuspendExecution
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from integration_patterns.durable_tracing import invocation_span, linked_to, traced_span

CARRIER = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}


def test_every_invocation_span_continues_the_captured_trace(finished_spans: InMemorySpanExporter) -> None:
    # Given the execution's captured context / When two invocations each open their span
    for _ in range(2):
        with invocation_span("order saga", CARRIER, {"order.id": "order-1"}):
            pass

    # Then both are children of the starter's span, in its trace
    spans = finished_spans.get_finished_spans()
    assert len(spans) == 2
    assert {format(s.context.trace_id, "032x") for s in spans} == {"0af7651916cd43dd8448eb211c80319c"}
    assert {format(s.parent.span_id, "016x") for s in spans if s.parent} == {"b7ad6b7169203331"}


def test_a_suspension_is_no_error_but_an_exception_is(finished_spans: InMemorySpanExporter) -> None:
    # Given a span ended by the SDK's suspension, and one ended by an error
    with pytest.raises(SuspendExecution), traced_span("waits", {}):
        raise SuspendExecution("waiting for the kitchen")
    with pytest.raises(ValueError), traced_span("fails", {}):
        raise ValueError("boom")

    # Then the first is marked suspended and not failed; the second is an error with its exception
    spans = {s.name: s for s in finished_spans.get_finished_spans()}
    assert spans["waits"].status.status_code is StatusCode.UNSET
    assert spans["waits"].attributes is not None and spans["waits"].attributes["durable.suspended"] is True
    assert not spans["waits"].events
    assert spans["fails"].status.status_code is StatusCode.ERROR
    assert [e.name for e in spans["fails"].events] == ["exception"]


def test_a_link_is_made_only_from_a_valid_trace_context() -> None:
    # Given an answer carrying the answerer's context, and answers that carry none or a broken one
    # Then only the first gives a link, to that span
    [link] = linked_to(CARRIER)
    assert format(link.context.span_id, "016x") == "b7ad6b7169203331"
    assert linked_to({"orderId": "order-1"}) == []
    assert linked_to({"traceparent": "not a traceparent"}) == []
    assert linked_to("text") == []
