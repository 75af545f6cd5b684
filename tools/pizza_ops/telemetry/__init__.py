"""Trace inspection without Jaeger: an OTLP/HTTP receiver that keeps spans in SQLite, a client for
the Jaeger query API (served by the receiver or a real Jaeger), a span-tree renderer, and queries
built on that API: an order's traces joined by span links, and the consumers of an event type."""

from pizza_ops.telemetry.event_consumers import EventConsumer, consumers_of, matches_event_type, render_consumers
from pizza_ops.telemetry.order_traces import ORDER_ID_TAG, traces_of_order
from pizza_ops.telemetry.otlp_decoding import (
    OtlpDecodeError,
    UnsupportedContentType,
    decode_export_body,
    parse_export_request,
    spans_from_request,
)
from pizza_ops.telemetry.otlp_receiver import OtlpReceiver
from pizza_ops.telemetry.span_model import AttributeValue, SpanEvent, SpanLink, StoredSpan, Trace
from pizza_ops.telemetry.span_store import SPANS_FILE, SpanStore, stack_span_store
from pizza_ops.telemetry.trace_client import JaegerQueryClient, TraceNotFound
from pizza_ops.telemetry.trace_tree import SpanNode, ancestry, build_tree, render_tree

__all__ = [
    "ORDER_ID_TAG",
    "SPANS_FILE",
    "AttributeValue",
    "EventConsumer",
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
    "consumers_of",
    "decode_export_body",
    "matches_event_type",
    "parse_export_request",
    "render_consumers",
    "render_tree",
    "spans_from_request",
    "stack_span_store",
    "traces_of_order",
]
