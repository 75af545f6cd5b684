"""One trace for a durable execution, however many times its function is invoked.

A durable function is invoked again after every suspension (a callback, a retry delay), and each
invocation is a fresh Lambda request with no trace context of its own. The starter passes its
context in the execution's input; the first invocation captures it in a step, so it is written to
the checkpointed log, and every invocation, the first included, reads it back from that step and
starts its spans under it. The whole execution is then one trace with its starter's request.
A starter that sent no context gets a new root context, captured the same way, so the
invocations still share one trace.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from aws_durable_execution_sdk_python import DurableContext
from aws_durable_execution_sdk_python.config import StepConfig
from aws_durable_execution_sdk_python.exceptions import SuspendExecution
from aws_durable_execution_sdk_python.retries import RetryPresets
from opentelemetry import trace
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import Link, Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from integration_patterns.event_tracing import TRACEPARENT, TRACESTATE

TRACE_CONTEXT_STEP = "trace-context"

_W3C = TraceContextTextMapPropagator()
_TRACER = "integration_patterns.durable"


def captured_trace_context(context: DurableContext, execution_input: Mapping[str, Any]) -> dict[str, str]:
    """The execution's trace context: taken from its input once, then read back from the log."""

    def capture(_: Any) -> dict[str, str]:
        carrier = {name: str(execution_input[name]) for name in (TRACEPARENT, TRACESTATE) if execution_input.get(name)}
        if TRACEPARENT in carrier and trace.get_current_span(_W3C.extract(carrier)).get_span_context().is_valid:
            return carrier
        ids = RandomIdGenerator()
        return {TRACEPARENT: f"00-{ids.generate_trace_id():032x}-{ids.generate_span_id():016x}-01"}

    captured: dict[str, str] = context.step(
        capture, name=TRACE_CONTEXT_STEP, config=StepConfig(retry_strategy=RetryPresets.none())
    )
    return captured


@contextmanager
def invocation_span(name: str, carrier: Mapping[str, str], attributes: Mapping[str, Any]) -> Iterator[Span]:
    """A span for this invocation under the execution's context; a suspension is not an error."""
    parent = _W3C.extract(dict(carrier))
    with traced_span(name, attributes, kind=SpanKind.SERVER, parent=parent) as span:
        yield span


def linked_to(carrier: Any) -> list[Link]:
    """A link to the span whose context ``carrier`` (a mapping with traceparent) holds; none if it holds none."""
    if not isinstance(carrier, Mapping) or not carrier.get(TRACEPARENT):
        return []
    headers = {name: str(carrier[name]) for name in (TRACEPARENT, TRACESTATE) if carrier.get(name)}
    span_context = trace.get_current_span(_W3C.extract(headers)).get_span_context()
    return [Link(span_context)] if span_context.is_valid else []


@contextmanager
def traced_span(
    name: str,
    attributes: Mapping[str, Any],
    kind: SpanKind = SpanKind.INTERNAL,
    parent: Any = None,
    links: Sequence[Link] = (),
) -> Iterator[Span]:
    """A span that records an error, but not the SDK's suspension, which is how a durable function waits."""
    tracer = trace.get_tracer(_TRACER)
    with tracer.start_as_current_span(
        name,
        context=parent,
        kind=kind,
        attributes=dict(attributes),
        links=list(links),
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except SuspendExecution:
            span.set_attribute("durable.suspended", True)
            raise
        except Exception as error:
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
            raise
