"""All the traces of one order: its own, and the ones joined to them by span links.

A publish/subscribe consumer starts a new trace whose first span links to the publisher's span
(it is not the publisher's child), so one order spans several traces. Only the Jaeger query API
is used (service list, tag search, fetch by id), so this reads a real Jaeger as well as
OtlpReceiver.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from pizza_contracts import ORDER_ID_SPAN_ATTRIBUTE as ORDER_ID_TAG
from pizza_ops.telemetry.span_model import Trace
from pizza_ops.telemetry.trace_client import JaegerQueryClient, TraceNotFound


def traces_of_order(
    client: JaegerQueryClient,
    order_id: str,
    *,
    limit: int = 20,
    lookback: timedelta = timedelta(hours=1),
) -> list[Trace]:
    """Every trace of the order, earliest start first (ties by trace id).

    These are the traces with a span tagged `order.id=<order_id>` in any service, which takes in
    each consumer's own trace, plus the traces those tagged spans link to, followed transitively
    (a publisher's trace that fell outside the search's `limit` per service or its `lookback`).
    """
    found: dict[str, Trace] = {}
    for service in client.services():
        for trace in client.find_traces({ORDER_ID_TAG: order_id}, service=service, limit=limit, lookback=lookback):
            found.setdefault(trace.trace_id, trace)
    _add_linked_traces(client, found, order_id)
    return sorted(found.values(), key=_by_start)


def _add_linked_traces(client: JaegerQueryClient, found: dict[str, Trace], order_id: str) -> None:
    tried = set(found)
    pending = sorted(_link_targets(found.values(), order_id) - tried)
    while pending:
        trace_id = pending.pop(0)
        tried.add(trace_id)
        try:
            trace = client.get_trace(trace_id)
        except TraceNotFound:  # not sampled, not yet flushed, or expired: show what there is
            continue
        found[trace_id] = trace
        pending = sorted((set(pending) | _link_targets([trace], order_id)) - tried)


def _link_targets(traces: Iterable[Trace], order_id: str) -> set[str]:
    # Only spans about this order: a batch span's links lead to other orders' traces.
    return {
        link.trace_id
        for trace in traces
        for span in trace.spans
        if str(span.attributes.get(ORDER_ID_TAG)) == order_id
        for link in span.links
    }


def _by_start(trace: Trace) -> tuple[int, str]:
    start = min((span.start_unix_nano for span in trace.spans), default=0)
    return (start, trace.trace_id)
