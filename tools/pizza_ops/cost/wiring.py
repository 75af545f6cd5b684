"""`pizza cost` put together: orders' spans from a query API (or a span store file served for the
occasion), counted, priced and set beside the declaration's monthly items."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import httpx

from pizza_ops.cost.estimate import CostEstimate, estimate
from pizza_ops.cost.orders import PLACE_ORDER_ROUTE, OrderSearch, sample_orders
from pizza_ops.cost.prices import PriceBook
from pizza_ops.cost.usage import BillingFacts, unattributed_calls, usage_per_order
from pizza_ops.system import SystemDeclaration
from pizza_ops.telemetry import JaegerQueryClient, OtlpReceiver, SpanStore, StoredSpan


class NoOrders(LookupError):
    """No spans of placed orders to count."""


@contextlib.contextmanager
def served_span_store(path: Path) -> Iterator[tuple[str, SpanStore]]:
    """A span store file (the receiver's SQLite) served over the Jaeger query API for the while."""
    if not path.is_file():
        raise FileNotFoundError(f"no span store at {path}")
    store = SpanStore(path)
    try:
        with OtlpReceiver(store) as receiver:
            yield receiver.endpoint, store
    finally:
        store.close()


def order_search(system: SystemDeclaration, lookback: timedelta) -> OrderSearch:
    api_function = next(
        function
        for api in system.http_apis.values()
        for route, function in api.routes.items()
        if route == PLACE_ORDER_ROUTE
    )
    sagas = frozenset(f.service_name for f in system.functions.values() if f.durable is not None)
    return OrderSearch(system.functions[api_function].service_name, sagas, lookback=lookback)


def estimate_from_traces(
    query_url: str,
    system: SystemDeclaration,
    prices: PriceBook,
    *,
    orders: int,
    workflow: str,
    sample: int,
    order_ids: Sequence[str] = (),
    lookback: timedelta = timedelta(hours=24),
    store: SpanStore | None = None,
) -> CostEstimate:
    """The cost of `orders` orders: the mean usage of `order_ids`, else of the `sample` latest
    placed orders of `workflow` whose spans are at `query_url`.

    With the `store` behind that API at hand, AWS calls in no order's trace made while the orders
    went through are shared among the orders placed meanwhile (a query API cannot list them).
    """
    search = order_search(system, lookback)
    with httpx.Client(timeout=10) as http:
        client = JaegerQueryClient(query_url, http)
        sampled = sample_orders(client, search, workflow, sample, order_ids)
    counted = [order for order in sampled if order.spans]
    if not counted:
        if order_ids:
            raise NoOrders(f"no spans of orders {', '.join(order_ids)} at {query_url}")
        # Only the latest placed orders are searched, and those younger than the settle time are
        # left out: right after a burst, every one searched may be too young.
        settle = f"{search.settle.total_seconds():g} s"
        raise NoOrders(
            f"no spans of placed {workflow} orders at {query_url} (orders placed in the last {settle}"
            f" are not counted yet: their spans may still be arriving; try again in {settle})"
        )
    workflows = ", ".join(sorted({order.workflow for order in counted}))
    facts = BillingFacts.of(system)
    spans = [order.spans for order in counted]
    unattributed, placed = _meanwhile(store, spans, facts, search) if store is not None else ([], 0)
    usage = usage_per_order(spans, facts, unattributed, placed)
    return estimate(usage, prices, system, orders, workflows, len(counted))


def _meanwhile(
    store: SpanStore, orders: Sequence[Sequence[StoredSpan]], facts: BillingFacts, search: OrderSearch
) -> tuple[list[StoredSpan], int]:
    """The unattributed calls from the first sampled order's placing to the last sampled span's end,
    and how many orders were placed in that time."""
    posts = [s for spans in orders for s in spans if s.service_name == search.api_service and s.kind == "SERVER"]
    if not posts:
        return [], 0
    start = min(post.start_unix_nano for post in posts)
    end = max(span.end_unix_nano for spans in orders for span in spans)
    meanwhile = store.spans_started_between(start, end + 1)
    placed = sum(1 for span in meanwhile if span.service_name == search.api_service and _placing(span))
    return unattributed_calls(meanwhile, facts), placed


def _placing(span: StoredSpan) -> bool:
    method, route = PLACE_ORDER_ROUTE.split(" ", 1)
    return (
        span.kind == "SERVER"
        and span.attributes.get("http.request.method") == method
        and span.attributes.get("http.route") == route
        and str(span.attributes.get("http.response.status_code", "")).startswith("2")
    )
