"""The spans of real orders, read through the Jaeger query API (Jaeger, or the stack's receiver).

An order is found by its `POST /orders` span (answered 2xx); its id is the `order.id` some span of
that trace carries; its workflow is `saga` when the durable function ran in that trace. Its spans
are those of every trace of the order (`traces_of_order`: consumers' own traces joined by links).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from pizza_ops.telemetry import ORDER_ID_TAG, JaegerQueryClient, StoredSpan, Trace, traces_of_order

PLACE_ORDER_ROUTE = "POST /orders"


@dataclass(frozen=True)
class SampledOrder:
    order_id: str
    workflow: str  # "saga" or "choreography"
    spans: tuple[StoredSpan, ...]


@dataclass(frozen=True)
class OrderSearch:
    """Where placed orders' spans are: the service answering `POST /orders`, the saga's service."""

    api_service: str
    saga_services: frozenset[str]
    lookback: timedelta = timedelta(hours=24)
    # Orders placed more recently than this may still be going through: their spans are not all in.
    settle: timedelta = timedelta(seconds=30)


def sample_orders(
    client: JaegerQueryClient, search: OrderSearch, workflow: str, count: int, order_ids: Sequence[str] = ()
) -> list[SampledOrder]:
    """The `order_ids` given, else the `count` latest placed orders of `workflow`, with their spans."""
    if order_ids:
        found = [
            (order_id, _spans(traces_of_order(client, order_id, lookback=search.lookback))) for order_id in order_ids
        ]
        return [SampledOrder(order_id, _workflow(spans, search), spans) for order_id, spans in found]
    placed = [order_id for order_id, kind in _placed_orders(client, search, count * 5) if kind == workflow][:count]
    return [
        SampledOrder(order_id, workflow, _spans(traces_of_order(client, order_id, lookback=search.lookback)))
        for order_id in placed
    ]


def _placed_orders(client: JaegerQueryClient, search: OrderSearch, limit: int) -> list[tuple[str, str]]:
    method, route = PLACE_ORDER_ROUTE.split(" ", 1)
    tags = {"http.request.method": method, "http.route": route}
    # Searched up to `settle` ago, so that a burst of orders still going through does not fill the
    # search's `limit` with orders that are then skipped.
    newest = time.time_ns() - int(search.settle.total_seconds() * 1e9)
    seen: dict[str, str] = {}
    found = client.find_traces(
        tags, service=search.api_service, limit=limit, lookback=search.lookback, until=search.settle
    )
    for trace in found:
        posts = [s for s in trace.spans if s.service_name == search.api_service and s.kind == "SERVER"]
        if not any(_answered_2xx(post) and post.start_unix_nano <= newest for post in posts):
            continue
        order_id = _order_id(trace)
        if order_id is not None:
            seen.setdefault(order_id, _trace_workflow(trace, search))
    return list(seen.items())


def _answered_2xx(span: StoredSpan) -> bool:
    return str(span.attributes.get("http.response.status_code", "")).startswith("2")


def _order_id(trace: Trace) -> str | None:
    return next((str(s.attributes[ORDER_ID_TAG]) for s in trace.spans if ORDER_ID_TAG in s.attributes), None)


def _trace_workflow(trace: Trace, search: OrderSearch) -> str:
    return _workflow(trace.spans, search)


def _workflow(spans: Sequence[StoredSpan], search: OrderSearch) -> str:
    return "saga" if any(span.service_name in search.saga_services for span in spans) else "choreography"


def _spans(traces: Sequence[Trace]) -> tuple[StoredSpan, ...]:
    return tuple(span for trace in traces for span in trace.spans)
