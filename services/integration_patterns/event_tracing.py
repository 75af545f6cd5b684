"""Trace context inside the CloudEvent itself (the CloudEvents Distributed Tracing extension).

Channels differ in what they carry besides the body: EventBridge has no message attributes and a
schedule's target input is a body only. With ``traceparent``/``tracestate`` in the event, the
context travels wherever the event goes, whichever channel carried it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.v1.event import CloudEvent
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanContext, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from opentelemetry.util.types import AttributeValue

from integration_patterns import semconv

TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"

_W3C = TraceContextTextMapPropagator()
_tracer = trace.get_tracer(__name__)


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


@contextmanager
def batch_call_span(
    name: str,
    members: Sequence[SpanContext | None],
    kind: SpanKind = SpanKind.PRODUCER,
    attributes: Mapping[str, AttributeValue] | None = None,
) -> Iterator[Span]:
    """The current span around one call made for many traces at once (a batch send, a batch of
    outbox marks): the root of a trace of its own that links to each member's span, as
    OpenTelemetry's messaging conventions have a batch send link to each message's creation span.

    Not a child of any member: a call shared by several orders belongs to none of their traces, and
    a trace's shape then does not depend on which other events happened to share its call. Each
    member's trace shows the call as a link (``pizza trace`` prints "linked from").
    """
    links = [Link(member) for member in members if member is not None and member.is_valid]
    with _tracer.start_as_current_span(
        name,
        context=Context(),
        kind=kind,
        links=links,
        attributes={**(attributes or {}), semconv.MESSAGING_BATCH_MESSAGE_COUNT: len(members)},
    ) as span:
        yield span
