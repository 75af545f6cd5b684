"""Trace inspection without Jaeger: an OTLP/HTTP receiver that keeps spans in SQLite, a client for
the Jaeger query API (served by the receiver or a real Jaeger), and a span-tree renderer."""

from pizza_ops.telemetry.otlp_decoding import (
    OtlpDecodeError,
    UnsupportedContentType,
    decode_export_body,
    parse_export_request,
    spans_from_request,
)
from pizza_ops.telemetry.otlp_receiver import OtlpReceiver
from pizza_ops.telemetry.span_model import AttributeValue, SpanEvent, SpanLink, StoredSpan, Trace
from pizza_ops.telemetry.span_store import SpanStore
from pizza_ops.telemetry.trace_client import JaegerQueryClient, TraceNotFound
from pizza_ops.telemetry.trace_tree import SpanNode, ancestry, build_tree, render_tree

__all__ = [
    "AttributeValue",
    "JaegerQueryClient",
    "OtlpDecodeError",
    "OtlpReceiver",
    "SpanEvent",
    "SpanLink",
    "SpanNode",
    "SpanStore",
    "StoredSpan",
    "Trace",
    "TraceNotFound",
    "UnsupportedContentType",
    "ancestry",
    "build_tree",
    "decode_export_body",
    "parse_export_request",
    "render_tree",
    "spans_from_request",
]
