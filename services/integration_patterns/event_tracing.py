"""Trace context inside the CloudEvent itself (the CloudEvents Distributed Tracing extension).

Channels differ in what they carry besides the body: EventBridge has no message attributes and a
schedule's target input is a body only. With ``traceparent``/``tracestate`` in the event, the
context travels wherever the event goes, whichever channel carried it.
"""

from __future__ import annotations

from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.v1.event import CloudEvent
from opentelemetry import trace
from opentelemetry.trace import SpanContext
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"

_W3C = TraceContextTextMapPropagator()


def current_trace_carrier() -> dict[str, str]:
    """The current span's context as W3C headers (for an execution's input, a reply's result);
    empty when there is none."""
    carrier: dict[str, str] = {}
    _W3C.inject(carrier)
    return carrier


def with_current_trace_context(event: BaseCloudEvent) -> CloudEvent:
    """A copy of ``event`` carrying the current span's context as traceparent/tracestate."""
    carrier: dict[str, str] = {}
    _W3C.inject(carrier)
    attributes = {**event.get_attributes(), **carrier}
    return CloudEvent(attributes=attributes, data=event.get_data())


def producer_span_context(event: BaseCloudEvent) -> SpanContext | None:
    """The span context the producer put in the event, or None when it carries none (or a bad one)."""
    attributes = event.get_attributes()
    carrier = {name: str(attributes[name]) for name in (TRACEPARENT, TRACESTATE) if attributes.get(name)}
    if TRACEPARENT not in carrier:
        return None
    span_context = trace.get_current_span(_W3C.extract(carrier)).get_span_context()
    return span_context if span_context.is_valid else None
