from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from opentelemetry import context, trace
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer

from pizza_ops.telemetry import (
    JaegerQueryClient,
    OtlpReceiver,
    SpanNode,
    SpanStore,
    StoredSpan,
    TraceNotFound,
    build_tree,
)

TracerFactory = Callable[..., Tracer]  # the tracer_for fixture


def _identity(span: StoredSpan) -> tuple[Any, ...]:
    links = tuple((link.trace_id, link.span_id) for link in span.links)
    return (span.trace_id, span.span_id, span.parent_span_id, span.name, span.kind, span.service_name, links)


def _shape(nodes: list[SpanNode] | tuple[SpanNode, ...]) -> list[tuple[str, list[Any]]]:
    return [(node.span.name, _shape(node.children)) for node in nodes]


def _export_order_flow(tracer_for: TracerFactory) -> tuple[trace.Span, trace.Span]:
    receiver_tracer = tracer_for("order-receiver")
    with receiver_tracer.start_as_current_span(
        "POST /orders", kind=SpanKind.SERVER, attributes={"order.id": "o-42", "pizzas": 2, "paid": False}
    ) as server:
        with receiver_tracer.start_as_current_span("orders put", kind=SpanKind.CLIENT):
            pass
        with receiver_tracer.start_as_current_span("kitchen-orders send", kind=SpanKind.PRODUCER) as producer:
            pass
    with tracer_for("kitchen-processor").start_as_current_span(
        "kitchen-orders process",
        context=context.Context(),
        kind=SpanKind.CONSUMER,
        links=[trace.Link(producer.get_span_context())],
        attributes={"order.id": "o-42"},
    ) as consumer:
        consumer.set_status(Status(StatusCode.ERROR, "oven on fire"))
    return server, consumer


def test_a_tag_search_returns_the_same_tree_the_store_holds(
    receiver: OtlpReceiver, store: SpanStore, tracer_for: TracerFactory
) -> None:
    # Given an order's spans exported to the receiver
    server, _ = _export_order_flow(tracer_for)
    trace_id = format(server.get_span_context().trace_id, "032x")

    # When the order's trace is searched by tag through the Jaeger query API
    with JaegerQueryClient(receiver.endpoint) as client:
        (found,) = client.find_traces({"order.id": "o-42"}, service="order-receiver")

    # Then it is the whole trace, with the same spans and tree as the store, and typed attributes
    stored = store.spans_of_trace(trace_id)
    assert found.trace_id == trace_id
    assert [_identity(span) for span in found.spans] == [_identity(span) for span in stored]
    assert _shape(build_tree(found.spans)) == [
        ("POST /orders", [("orders put", []), ("kitchen-orders send", [])]),
    ]
    assert found.spans[0].attributes == {"order.id": "o-42", "pizzas": 2, "paid": False}
    assert found.spans[0].start_unix_nano == stored[0].start_unix_nano // 1000 * 1000


def test_a_linked_trace_comes_back_with_its_link_and_error(receiver: OtlpReceiver, tracer_for: TracerFactory) -> None:
    # Given a consumer trace that links to the producer's and failed
    server, consumer = _export_order_flow(tracer_for)
    consumer_trace_id = format(consumer.get_span_context().trace_id, "032x")

    # When it is fetched by id
    with JaegerQueryClient(receiver.endpoint) as client:
        fetched = client.get_trace(consumer_trace_id)

    # Then the FOLLOWS_FROM reference is a link again, and kind and status survive as tags do in Jaeger
    (span,) = fetched.spans
    assert [link.trace_id for link in span.links] == [format(server.get_span_context().trace_id, "032x")]
    assert span.parent_span_id is None
    assert (span.kind, span.status_code, span.status_message) == ("CONSUMER", "ERROR", "oven on fire")
    assert span.attributes == {"order.id": "o-42"}


def test_a_search_only_counts_spans_of_the_requested_service(receiver: OtlpReceiver, tracer_for: TracerFactory) -> None:
    # Given both services recorded the same order id
    _, consumer = _export_order_flow(tracer_for)

    # When searching the kitchen's spans
    with JaegerQueryClient(receiver.endpoint) as client:
        found = client.find_traces({"order.id": "o-42"}, service="kitchen-processor")

    # Then only the kitchen's trace matches
    assert [t.trace_id for t in found] == [format(consumer.get_span_context().trace_id, "032x")]


def test_an_unknown_trace_id_raises_trace_not_found(receiver: OtlpReceiver) -> None:
    # Given an empty receiver
    # When a trace is fetched
    # Then TraceNotFound is raised
    with JaegerQueryClient(receiver.endpoint) as client, pytest.raises(TraceNotFound):
        client.get_trace("0af7651916cd43dd8448eb211c80319c")


def test_the_client_reads_a_real_jaegers_json() -> None:
    # Given a Jaeger response with its quirks: a 64-bit trace id printed short, scope and error tags, logs
    jaeger_trace = {
        "traceID": "d269b633813fc60c",
        "spans": [
            {
                "traceID": "d269b633813fc60c",
                "spanID": "eee19b7ec3c1b174",
                "operationName": "kitchen-orders process",
                "references": [
                    {"refType": "FOLLOWS_FROM", "traceID": "5b8efff798038103d269b633813fc60c", "spanID": "1"},
                ],
                "startTime": 1_544_712_660_000_000,
                "duration": 1500,
                "tags": [
                    {"key": "order.id", "type": "string", "value": "o-1"},
                    {"key": "otel.scope.name", "type": "string", "value": "pizza"},
                    {"key": "span.kind", "type": "string", "value": "consumer"},
                    {"key": "error", "type": "bool", "value": True},
                    {"key": "internal.span.format", "type": "string", "value": "otlp"},
                ],
                "logs": [{"timestamp": 1_544_712_660_000_100, "fields": [{"key": "event", "value": "exception"}]}],
                "processID": "p1",
                "warnings": None,
            }
        ],
        "processes": {"p1": {"serviceName": "kitchen-processor", "tags": []}},
    }
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"data": [jaeger_trace]}))

    # When the client fetches it
    with httpx.Client(transport=transport) as http:
        fetched = JaegerQueryClient("http://jaeger:16686", http=http).get_trace("d269b633813fc60c")

    # Then ids are padded, Jaeger's own tags are not attributes, and times are in nanoseconds
    (span,) = fetched.spans
    assert fetched.trace_id == span.trace_id == "0000000000000000d269b633813fc60c"
    assert (span.links[0].span_id, span.kind, span.status_code) == ("0000000000000001", "CONSUMER", "ERROR")
    assert span.attributes == {"order.id": "o-1"}
    assert (span.service_name, span.duration_ms) == ("kitchen-processor", 1.5)
    assert [(event.name, event.time_unix_nano) for event in span.events] == [("exception", 1_544_712_660_000_100_000)]


def test_the_services_endpoint_lists_each_service_once_as_jaeger_does(
    receiver: OtlpReceiver, add_span: Callable[..., StoredSpan]
) -> None:
    # Given spans of three services, one of them with two spans
    add_span("a" * 32, "1" * 16, "order-receiver")
    add_span("a" * 32, "2" * 16, "kitchen-processor")
    add_span("b" * 32, "3" * 16, "loyalty")
    add_span("b" * 32, "4" * 16, "kitchen-processor")

    # When the services are asked for, raw and through the client
    response = httpx.get(receiver.endpoint + "/api/services")
    with JaegerQueryClient(receiver.endpoint) as client:
        services = client.services()

    # Then each appears once, in Jaeger's envelope
    assert response.status_code == 200
    assert response.json() == {
        "data": ["kitchen-processor", "loyalty", "order-receiver"],
        "total": 3,
        "limit": 0,
        "offset": 0,
        "errors": None,
    }
    assert services == ["kitchen-processor", "loyalty", "order-receiver"]


def test_an_empty_receiver_has_no_services(receiver: OtlpReceiver) -> None:
    # Given an empty receiver
    # When the services are asked for
    with JaegerQueryClient(receiver.endpoint) as client:
        services = client.services()

    # Then there are none
    assert services == []


def test_a_span_kind_tag_searches_by_the_spans_kind_as_in_jaeger(
    receiver: OtlpReceiver, add_span: Callable[..., StoredSpan]
) -> None:
    # Given a producer and a consumer span of one service, carrying the same event type
    event = {"cloudevents.event_type": "com.pizza.order.confirmed.v2"}
    add_span("a" * 32, "1" * 16, "kitchen-alerts", kind="PRODUCER", attributes=event)
    add_span("b" * 32, "2" * 16, "kitchen-alerts", kind="CONSUMER", attributes=event)

    # When the service's traces are searched by kind (lower case, as Jaeger stores it) and type
    with JaegerQueryClient(receiver.endpoint) as client:
        found = client.find_traces({"span.kind": "consumer", **event}, service="kitchen-alerts")

    # Then only the consumer's trace matches
    assert [trace.trace_id for trace in found] == ["b" * 32]
