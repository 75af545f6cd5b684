"""Decoding of OTLP/HTTP trace export requests (protobuf or JSON, optionally compressed)."""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Iterable
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from pizza_ops.telemetry.span_model import AttributeValue, SpanEvent, SpanLink, StoredSpan

PROTOBUF = "application/x-protobuf"
JSON = "application/json"

# Refuse to inflate a body beyond this: a small gzip bomb must not exhaust a developer's machine.
MAX_BODY_BYTES = 64 * 1024 * 1024
_UNKNOWN_SERVICE = "unknown_service"
_ID_FIELDS = ("traceId", "trace_id", "spanId", "span_id", "parentSpanId", "parent_span_id")


class OtlpDecodeError(ValueError):
    """The body is not a valid OTLP trace export request; the message says why."""


class UnsupportedContentType(OtlpDecodeError):
    """The request's Content-Type is neither OTLP protobuf nor OTLP JSON."""


def media_type(content_type: str | None) -> str:
    """The bare, lower-case media type of a Content-Type header ("" when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def parse_export_request(
    body: bytes, content_type: str | None, content_encoding: str | None = None
) -> ExportTraceServiceRequest:
    """Parse an OTLP/HTTP request body into an ExportTraceServiceRequest.

    Raises UnsupportedContentType for a media type other than protobuf or JSON, and
    OtlpDecodeError for a body that cannot be decompressed or parsed, or that has malformed ids.
    """
    kind = media_type(content_type)
    if kind not in (PROTOBUF, JSON):
        raise UnsupportedContentType(f"unsupported Content-Type {content_type!r}; use {PROTOBUF} or {JSON}")
    payload = _decompress(body, content_encoding)
    request = _parse_json(payload) if kind == JSON else _parse_protobuf(payload)
    _check_ids(request)
    return request


def spans_from_request(request: ExportTraceServiceRequest) -> list[StoredSpan]:
    """The spans of an export request, each tagged with its resource's service.name."""
    spans: list[StoredSpan] = []
    for resource_spans in request.resource_spans:
        resource = _attributes(resource_spans.resource.attributes)
        service_name = str(resource.get("service.name", _UNKNOWN_SERVICE))
        for scope_spans in resource_spans.scope_spans:
            spans.extend(_stored_span(span, service_name) for span in scope_spans.spans)
    return spans


def decode_export_body(body: bytes, content_type: str | None, content_encoding: str | None = None) -> list[StoredSpan]:
    """parse_export_request followed by spans_from_request."""
    return spans_from_request(parse_export_request(body, content_type, content_encoding))


def _decompress(body: bytes, content_encoding: str | None) -> bytes:
    encoding = (content_encoding or "identity").strip().lower()
    if encoding == "identity":
        return body
    if encoding not in ("gzip", "deflate"):
        raise OtlpDecodeError(f"unsupported Content-Encoding {content_encoding!r}")
    # wbits 32+15 accepts both gzip and zlib headers: clients disagree on what "deflate" means.
    inflater = zlib.decompressobj(wbits=32 + zlib.MAX_WBITS)
    try:
        payload = inflater.decompress(body, MAX_BODY_BYTES + 1)
    except zlib.error as error:
        raise OtlpDecodeError(f"body is not valid {encoding}: {error}") from error
    if len(payload) > MAX_BODY_BYTES:
        raise OtlpDecodeError(f"decompressed body exceeds {MAX_BODY_BYTES} bytes")
    if not inflater.eof:
        raise OtlpDecodeError(f"truncated {encoding} body")
    return payload


def _parse_protobuf(payload: bytes) -> ExportTraceServiceRequest:
    request = ExportTraceServiceRequest()
    try:
        request.ParseFromString(payload)
    except DecodeError as error:
        raise OtlpDecodeError(f"body is not an OTLP protobuf ExportTraceServiceRequest: {error}") from error
    return request


def _parse_json(payload: bytes) -> ExportTraceServiceRequest:
    try:
        document = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise OtlpDecodeError(f"body is not JSON: {error}") from error
    if not isinstance(document, dict):
        raise OtlpDecodeError("body is not a JSON object")
    _hex_ids_to_base64(document)
    try:
        # OTLP/JSON receivers must ignore unknown fields, so newer senders keep working.
        return json_format.ParseDict(document, ExportTraceServiceRequest(), ignore_unknown_fields=True)
    except json_format.ParseError as error:
        raise OtlpDecodeError(f"body is not an OTLP JSON ExportTraceServiceRequest: {error}") from error


def _hex_ids_to_base64(document: dict[str, Any]) -> None:
    """OTLP/JSON writes ids as hex, where the protobuf JSON mapping expects base64 for bytes."""
    for resource_spans in _objects(document, "resourceSpans", "resource_spans"):
        for scope_spans in _objects(resource_spans, "scopeSpans", "scope_spans"):
            for span in _objects(scope_spans, "spans"):
                _rewrite_ids(span)
                for link in _objects(span, "links"):
                    _rewrite_ids(link)


def _objects(parent: dict[str, Any], *keys: str) -> list[dict[str, Any]]:
    for key in keys:
        items = parent.get(key)
        if isinstance(items, list):
            return [item for item in items if isinstance(item, dict)]
    return []


def _rewrite_ids(message: dict[str, Any]) -> None:
    for key in _ID_FIELDS:
        value = message.get(key)
        if not isinstance(value, str):
            continue
        try:
            raw = bytes.fromhex(value)
        except ValueError as error:
            raise OtlpDecodeError(f"{key} {value!r} is not hex") from error
        message[key] = base64.b64encode(raw).decode("ascii")


def _check_ids(request: ExportTraceServiceRequest) -> None:
    # A random byte string can parse as protobuf (all unknown fields); malformed ids catch it.
    for resource_spans in request.resource_spans:
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                _check_id("trace id", span.trace_id, 16)
                _check_id("span id", span.span_id, 8)
                if span.parent_span_id:
                    _check_id("parent span id", span.parent_span_id, 8)
                for link in span.links:
                    _check_id("link trace id", link.trace_id, 16)
                    _check_id("link span id", link.span_id, 8)


def _check_id(what: str, value: bytes, size: int) -> None:
    if len(value) != size or not any(value):
        raise OtlpDecodeError(f"{what} {value.hex()!r} is not {size} bytes with at least one non-zero")


def _stored_span(span: Span, service_name: str) -> StoredSpan:
    return StoredSpan(
        trace_id=span.trace_id.hex(),
        span_id=span.span_id.hex(),
        parent_span_id=span.parent_span_id.hex() or None,
        name=span.name,
        kind=_kind_name(span.kind),
        service_name=service_name,
        start_unix_nano=span.start_time_unix_nano,
        end_unix_nano=span.end_time_unix_nano,
        status_code=_status_name(span.status.code),
        status_message=span.status.message,
        attributes=_attributes(span.attributes),
        links=tuple(
            SpanLink(link.trace_id.hex(), link.span_id.hex(), _attributes(link.attributes)) for link in span.links
        ),
        events=tuple(
            SpanEvent(event.name, _attributes(event.attributes), event.time_unix_nano) for event in span.events
        ),
    )


def _kind_name(kind: int) -> str:
    try:
        name = Span.SpanKind.Name(Span.SpanKind.ValueType(kind)).removeprefix("SPAN_KIND_")
    except ValueError:
        return "INTERNAL"
    # The specification lets a backend treat an unspecified kind as INTERNAL.
    return "INTERNAL" if name == "UNSPECIFIED" else name


def _status_name(code: int) -> str:
    try:
        return Status.StatusCode.Name(Status.StatusCode.ValueType(code)).removeprefix("STATUS_CODE_")
    except ValueError:
        return "UNSET"


def _attributes(pairs: Iterable[KeyValue]) -> dict[str, AttributeValue]:
    attributes: dict[str, AttributeValue] = {}
    for pair in pairs:
        value = _python_value(pair.value)
        if value is not None:
            attributes[pair.key] = value
    return attributes


def _python_value(value: AnyValue) -> Any:
    match value.WhichOneof("value"):
        case "string_value":
            return value.string_value
        case "bool_value":
            return value.bool_value
        case "int_value":
            return value.int_value
        case "double_value":
            return value.double_value
        case "array_value":
            items = (_python_value(item) for item in value.array_value.values)
            return [item for item in items if item is not None]
        case "kvlist_value":
            # Attribute values are flat in this model; a map becomes JSON text, as Jaeger shows it.
            return json.dumps(_kv_dict(value.kvlist_value.values), separators=(",", ":"))
        case "bytes_value":
            return base64.b64encode(value.bytes_value).decode("ascii")
        case _:
            return None


def _kv_dict(pairs: Iterable[KeyValue]) -> dict[str, Any]:
    return {pair.key: _python_value(pair.value) for pair in pairs}
