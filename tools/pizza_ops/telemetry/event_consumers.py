"""Which services consume an event type, as their telemetry shows.

Each consumer of a CloudEvent records a CONSUMER span carrying `cloudevents.event_type` and
`messaging.destination.name` (its queue). Those spans are found through the Jaeger query API
(service list, then a tag search per service), so the listing works on a real Jaeger as on
OtlpReceiver. It shows what was seen, within the search's limit and look-back, not what is wired.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from integration_patterns.semconv import CLOUDEVENTS_EVENT_TYPE, MESSAGING_DESTINATION_NAME
from pizza_ops.telemetry.span_model import StoredSpan
from pizza_ops.telemetry.trace_client import JaegerQueryClient

# Jaeger keeps the span kind as a lower-case tag; OtlpReceiver's search understands it too.
_CONSUMER_TAGS = {"span.kind": "consumer"}
_VERSIONED = re.compile(r"\.v\d+$")


@dataclass(frozen=True)
class EventConsumer:
    """A service seen consuming an event type."""

    service_name: str
    destinations: tuple[str, ...]  # the queues it consumed from (messaging.destination.name), sorted
    event_types: tuple[str, ...]  # the matching types it consumed, sorted: several for a prefix
    span_count: int  # CONSUMER spans seen, redeliveries included
    last_seen_unix_nano: int  # start of the latest of those spans


def matches_event_type(event_type: str, wanted: str) -> bool:
    """True for `wanted` itself and for types that extend it at a dot (`wanted.v2`), not `wanted2`."""
    return event_type == wanted or event_type.startswith(wanted + ".")


def consumers_of(
    client: JaegerQueryClient,
    event_type: str,
    *,
    limit: int = 100,
    lookback: timedelta = timedelta(hours=24),
) -> list[EventConsumer]:
    """Services with CONSUMER spans whose `cloudevents.event_type` matches `event_type`, by name.

    A versioned type (`com.pizza.order.confirmed.v2`) matches exactly; an unversioned one
    (`com.pizza.order.confirmed`) is a prefix matching every version. Services that only produce
    the type are not listed. Counts cover the `limit` latest matching traces per service.
    """
    if not event_type:
        raise ValueError("an event type (or a prefix of one) is required")
    by_service: dict[str, list[StoredSpan]] = defaultdict(list)
    for span in _consumer_spans(client, event_type, limit, lookback):
        by_service[span.service_name].append(span)
    return [_consumer(service, spans) for service, spans in sorted(by_service.items())]


def render_consumers(event_type: str, consumers: Sequence[EventConsumer]) -> str:
    """A table of consumers; an EVENT TYPES column appears when a prefix matched other types."""
    show_types = any(consumer.event_types != (event_type,) for consumer in consumers)
    header = ["SERVICE", "QUEUES", "SPANS", "LAST SEEN (UTC)"] + (["EVENT TYPES"] if show_types else [])
    rows = [
        [
            consumer.service_name,
            ", ".join(consumer.destinations) or "-",
            str(consumer.span_count),
            datetime.fromtimestamp(consumer.last_seen_unix_nano / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S"),
        ]
        + ([", ".join(consumer.event_types)] if show_types else [])
        for consumer in consumers
    ]
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    )


def _consumer_spans(client: JaegerQueryClient, event_type: str, limit: int, lookback: timedelta) -> list[StoredSpan]:
    # An exact type narrows the search on the server; a prefix can only be matched here.
    tags = dict(_CONSUMER_TAGS)
    if _VERSIONED.search(event_type):
        tags[CLOUDEVENTS_EVENT_TYPE] = event_type
    seen: dict[tuple[str, str], StoredSpan] = {}
    for service in client.services():
        for trace in client.find_traces(tags, service=service, limit=limit, lookback=lookback):
            for span in trace.spans:
                if span.kind == "CONSUMER" and matches_event_type(_text(span, CLOUDEVENTS_EVENT_TYPE), event_type):
                    seen[(span.trace_id, span.span_id)] = span
    return list(seen.values())


def _consumer(service_name: str, spans: Sequence[StoredSpan]) -> EventConsumer:
    destinations = {_text(span, MESSAGING_DESTINATION_NAME) for span in spans} - {""}
    return EventConsumer(
        service_name=service_name,
        destinations=tuple(sorted(destinations)),
        event_types=tuple(sorted({_text(span, CLOUDEVENTS_EVENT_TYPE) for span in spans})),
        span_count=len(spans),
        last_seen_unix_nano=max(span.start_unix_nano for span in spans),
    )


def _text(span: StoredSpan, key: str) -> str:
    value = span.attributes.get(key)
    return value if isinstance(value, str) else ""
