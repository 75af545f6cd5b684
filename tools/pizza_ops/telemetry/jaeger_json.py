"""The Jaeger query API's JSON trace format, in both directions.

The receiver writes it so that one client serves our receiver and a real Jaeger alike; the client
reads it. The mapping follows Jaeger's own OTLP translation: the parent becomes the first CHILD_OF
reference, each link a FOLLOWS_FROM reference, and kind and status become tags.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pizza_ops.telemetry.span_model import AttributeValue, SpanEvent, SpanLink, StoredSpan, Trace

# Tags Jaeger adds to a span beyond its attributes; the reverse mapping drops them again.
_SYNTHETIC_TAGS = frozenset(
    {
        "span.kind",
        "otel.status_code",
        "otel.status_description",
        "otel.scope.name",
        "otel.scope.version",
        "otel.library.name",
        "otel.library.version",
        "internal.span.format",
        "w3c.tracestate",
    }
)


def to_jaeger_trace(trace_id: str, spans: Sequence[StoredSpan]) -> dict[str, Any]:
    """A trace as Jaeger's `GET /api/traces/<id>` returns it, one process per service."""
    process_ids: dict[str, str] = {}
    for span in spans:
        process_ids.setdefault(span.service_name, f"p{len(process_ids) + 1}")
    return {
        "traceID": trace_id,
        "spans": [_jaeger_span(span, process_ids[span.service_name]) for span in spans],
        "processes": {pid: {"serviceName": service, "tags": []} for service, pid in process_ids.items()},
        "warnings": None,
    }


def from_jaeger_trace(data: Mapping[str, Any]) -> Trace:
    """The reverse of to_jaeger_trace, for traces from our receiver or a real Jaeger.

    Jaeger keeps microseconds, drops link attributes and renders arrays as JSON text, so those
    details do not survive the round trip.
    """
    processes = data.get("processes") or {}
    spans = sorted(
        (_stored_span(span, processes) for span in data.get("spans") or []),
        key=lambda span: (span.start_unix_nano, span.span_id),
    )
    return Trace(trace_id=_trace_id(data["traceID"]), spans=tuple(spans))


def _jaeger_span(span: StoredSpan, process_id: str) -> dict[str, Any]:
    references = []
    if span.parent_span_id:
        references.append({"refType": "CHILD_OF", "traceID": span.trace_id, "spanID": span.parent_span_id})
    references += [{"refType": "FOLLOWS_FROM", "traceID": link.trace_id, "spanID": link.span_id} for link in span.links]
    start_us = span.start_unix_nano // 1000
    return {
        "traceID": span.trace_id,
        "spanID": span.span_id,
        "operationName": span.name,
        "references": references,
        "startTime": start_us,
        "duration": span.end_unix_nano // 1000 - start_us,
        "tags": _tags(span.attributes) + _status_and_kind_tags(span),
        "logs": [_log(event) for event in span.events],
        "processID": process_id,
        "warnings": None,
    }


def _status_and_kind_tags(span: StoredSpan) -> list[dict[str, Any]]:
    tags = [_tag("span.kind", span.kind.lower())]
    if span.status_code != "UNSET":
        tags.append(_tag("otel.status_code", span.status_code))
    if span.status_code == "ERROR":
        tags.append(_tag("error", True))
    if span.status_message:
        tags.append(_tag("otel.status_description", span.status_message))
    return tags


def _log(event: SpanEvent) -> dict[str, Any]:
    fields = [] if "event" in event.attributes else [_tag("event", event.name)]
    return {"timestamp": event.time_unix_nano // 1000, "fields": fields + _tags(event.attributes)}


def _tags(attributes: Mapping[str, AttributeValue]) -> list[dict[str, Any]]:
    return [_tag(key, value) for key, value in attributes.items()]


def _tag(key: str, value: AttributeValue) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"key": key, "type": "bool", "value": value}
    if isinstance(value, int):
        return {"key": key, "type": "int64", "value": value}
    if isinstance(value, float):
        return {"key": key, "type": "float64", "value": value}
    if isinstance(value, list):
        return {"key": key, "type": "string", "value": json.dumps(value, separators=(",", ":"))}
    return {"key": key, "type": "string", "value": value}


def _stored_span(span: Mapping[str, Any], processes: Mapping[str, Any]) -> StoredSpan:
    trace_id = _trace_id(span["traceID"])
    tags = _tag_values(span.get("tags") or [])
    parent, links = _parent_and_links(trace_id, span.get("references") or [])
    status = str(tags.get("otel.status_code", "ERROR" if tags.get("error") is True else "UNSET")).upper()
    start_us = int(span["startTime"])
    process = processes.get(str(span.get("processID")), {})
    return StoredSpan(
        trace_id=trace_id,
        span_id=_span_id(span["spanID"]),
        parent_span_id=parent,
        name=span.get("operationName", ""),
        kind=str(tags.get("span.kind", "internal")).upper(),
        service_name=process.get("serviceName", ""),
        start_unix_nano=start_us * 1000,
        end_unix_nano=(start_us + int(span.get("duration", 0))) * 1000,
        status_code=status,
        status_message=str(tags.get("otel.status_description", "")),
        attributes={
            key: value
            for key, value in tags.items()
            if key not in _SYNTHETIC_TAGS and not (key == "error" and value is True)
        },
        links=links,
        events=tuple(_event(log) for log in span.get("logs") or []),
    )


def _parent_and_links(
    trace_id: str, references: Iterable[Mapping[str, Any]]
) -> tuple[str | None, tuple[SpanLink, ...]]:
    parent: str | None = None
    links: list[SpanLink] = []
    for reference in references:
        ref_trace, ref_span = _trace_id(reference["traceID"]), _span_id(reference["spanID"])
        if parent is None and reference.get("refType") == "CHILD_OF" and ref_trace == trace_id:
            parent = ref_span
        else:
            links.append(SpanLink(ref_trace, ref_span, {}))
    return parent, tuple(links)


def _event(log: Mapping[str, Any]) -> SpanEvent:
    fields = _tag_values(log.get("fields") or [])
    name = fields.pop("event", "")
    return SpanEvent(name=str(name), attributes=fields, time_unix_nano=int(log.get("timestamp", 0)) * 1000)


def _tag_values(tags: Iterable[Mapping[str, Any]]) -> dict[str, AttributeValue]:
    values: dict[str, AttributeValue] = {}
    for tag in tags:
        value = tag.get("value")
        match tag.get("type"):
            case "bool":
                values[tag["key"]] = value if isinstance(value, bool) else str(value).lower() == "true"
            case "int64":
                values[tag["key"]] = int(str(value))
            case "float64":
                values[tag["key"]] = float(str(value))
            case _:
                values[tag["key"]] = str(value)
    return values


def _trace_id(value: str) -> str:
    # Jaeger drops leading zeros of a 64-bit high half; pad back to OTLP's 32 digits.
    return value.lower().zfill(32)


def _span_id(value: str) -> str:
    return value.lower().zfill(16)
