"""Observability for pub/sub: each subscriber's own trace, joined to the publisher's by a span link."""

from __future__ import annotations

import httpx
from integration_support import OrdersApi, Telemetry, delivery_order, eventually
from pubsub_support import SUBSCRIBERS

from pizza_ops.stack import EmbeddedStack
from pizza_ops.telemetry import JaegerQueryClient, StoredSpan, consumers_of, traces_of_order

SUBSCRIBER_SERVICES = {subscriber.service for subscriber in SUBSCRIBERS.values()}


def _first_consumer_spans(telemetry: Telemetry, order_id: str) -> dict[str, StoredSpan] | None:
    spans = {s.service_name: s for s in telemetry.spans_for_order(order_id) if s.kind == "CONSUMER"}
    return spans if spans.keys() >= SUBSCRIBER_SERVICES else None


def test_every_subscriber_starts_its_own_trace_linked_to_the_publishers_span(
    orders_api: OrdersApi, telemetry: Telemetry, stack: EmbeddedStack
) -> None:
    # Given a delivery order the kitchen has acknowledged, so the order service published order.confirmed
    order_id = orders_api.place(delivery_order()).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")
    publish = eventually(
        lambda: telemetry.event_spans(order_id, "PRODUCER", "publish "),
        what="the publisher's span",
    )[0]

    # When each subscriber has processed it
    consumers = eventually(lambda: _first_consumer_spans(telemetry, order_id), timeout=30, what="subscribers' spans")

    # Then each subscriber's span is the root of a trace of its own, linked (not parented) to the publication
    for service in SUBSCRIBER_SERVICES:
        span = consumers[service]
        assert span.trace_id != publish.trace_id, service
        assert span.parent_span_id in (None, ""), service
        assert [(link.trace_id, link.span_id) for link in span.links] == [(publish.trace_id, publish.span_id)]

    # And `pizza trace`'s query gathers the publisher's trace and every subscriber's linked trace
    assert stack.outputs is not None
    with httpx.Client(timeout=10) as http:
        client = JaegerQueryClient(stack.outputs.trace_query_url, http)
        trace_ids = {found.trace_id for found in traces_of_order(client, order_id)}
        # And the consumers of the event type can be listed from telemetry alone
        consuming = {c.service_name for c in consumers_of(client, "com.pizza.order.confirmed.v2")}
    assert {publish.trace_id} | {consumers[s].trace_id for s in SUBSCRIBER_SERVICES} <= trace_ids
    assert consuming >= SUBSCRIBER_SERVICES
    assert not consuming & {"acknowledgement-processor", "order-outbox"}


def test_point_to_point_consumers_are_found_by_their_event_types_too(
    orders_api: OrdersApi, telemetry: Telemetry, stack: EmbeddedStack
) -> None:
    # Given an order the kitchen took and acknowledged (point to point: the consumers continue the
    # order's trace instead of starting their own)
    order_id = orders_api.place(delivery_order()).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")
    eventually(lambda: telemetry.consumer_spans("acknowledgement-processor", order_id), what="the acknowledgement")

    # When the consumers of order.placed and of the kitchen's acknowledgement are listed
    assert stack.outputs is not None
    with httpx.Client(timeout=10) as http:
        client = JaegerQueryClient(stack.outputs.trace_query_url, http)
        placed = {c.service_name: c for c in consumers_of(client, "com.pizza.order.placed")}
        acknowledged = {c.service_name for c in consumers_of(client, "com.pizza.kitchen.order.acknowledged.v1")}

    # Then the kitchen is found for the one, on its queue, and the acknowledgement processor for the other
    assert "kitchen-processor" in placed
    # (earlier tests in the session add to it: a FIFO side deployment's queue under the same service
    # name, versions the kitchen refused)
    assert "pizza-kitchen-orders" in placed["kitchen-processor"].destinations
    assert "com.pizza.order.placed.v1" in placed["kitchen-processor"].event_types
    assert acknowledged == {"acknowledgement-processor"}
