"""The span model every telemetry tool shares: what the receiver stores, what a Jaeger query
returns, and what the tree renderer draws."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TypeAlias

AttributeScalar: TypeAlias = str | bool | int | float
AttributeValue: TypeAlias = AttributeScalar | list[AttributeScalar]
Attributes: TypeAlias = dict[str, AttributeValue]


def attribute_text(value: AttributeValue) -> str:
    """The text form of an attribute value, as indexed by the store and as Jaeger compares tags.

    Booleans are lower case and arrays are compact JSON, which is how Jaeger renders them.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


@dataclass(frozen=True)
class SpanLink:
    """A span link: a causal reference to a span, usually in another trace (pub/sub fan-in)."""

    trace_id: str
    span_id: str
    attributes: Attributes = field(default_factory=dict)


@dataclass(frozen=True)
class SpanEvent:
    """A timestamped event recorded on a span (an exception, a retry, ...)."""

    name: str
    attributes: Attributes = field(default_factory=dict)
    time_unix_nano: int = 0


@dataclass(frozen=True)
class StoredSpan:
    """One finished span. Ids are lower-case hex: 32 digits for a trace, 16 for a span."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    kind: str  # SERVER, CLIENT, PRODUCER, CONSUMER or INTERNAL
    service_name: str
    start_unix_nano: int
    end_unix_nano: int
    status_code: str = "UNSET"  # UNSET, OK or ERROR
    status_message: str = ""
    attributes: Attributes = field(default_factory=dict)
    links: tuple[SpanLink, ...] = ()
    events: tuple[SpanEvent, ...] = ()

    @property
    def duration_ms(self) -> float:
        """Wall-clock duration in milliseconds."""
        return (self.end_unix_nano - self.start_unix_nano) / 1_000_000


@dataclass(frozen=True)
class Trace:
    """The spans of one trace, ordered by start time."""

    trace_id: str
    spans: tuple[StoredSpan, ...]

    @property
    def duration_ms(self) -> float:
        """Time from the earliest span start to the latest span end, in milliseconds."""
        if not self.spans:
            return 0.0
        start = min(span.start_unix_nano for span in self.spans)
        end = max(span.end_unix_nano for span in self.spans)
        return (end - start) / 1_000_000
