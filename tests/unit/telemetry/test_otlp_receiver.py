from __future__ import annotations

import json
import socket
import struct
import time
from collections.abc import Callable

import httpx
import pytest
from opentelemetry import context, trace
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer

from pizza_ops.telemetry import OtlpReceiver, SpanStore, StoredSpan

TracerFactory = Callable[..., Tracer]  # the tracer_for fixture


def _hex_trace_id(span: trace.Span) -> str:
    return format(span.get_span_context().trace_id, "032x")


def _hex_span_id(span: trace.Span) -> str:
    return format(span.get_span_context().span_id, "016x")


def _named(spans: list[StoredSpan], name: str) -> StoredSpan:
    (span,) = [span for span in spans if span.name == name]
    return span


def test_exported_chain_keeps_parents_kinds_attributes_and_service(store: SpanStore, tracer_for: TracerFactory) -> None:
    # Given a service that handles a request and sends a message while doing so
    tracer = tracer_for("order-receiver")

    # When it exports the spans over OTLP/HTTP (protobuf, the exporter's default)
    with (
        tracer.start_as_current_span(
            "POST /orders", kind=SpanKind.SERVER, attributes={"order.id": "o-42", "pizzas": ["margherita", "diavola"]}
        ) as server,
        tracer.start_as_current_span("kitchen-orders send", kind=SpanKind.PRODUCER) as producer,
    ):
        producer.set_attribute("messaging.batch.message_count", 1)

    # Then the store holds the chain with ids, kinds, attributes and the service name
    spans = store.spans_of_trace(_hex_trace_id(server))
    assert [(s.name, s.kind, s.service_name) for s in spans] == [
        ("POST /orders", "SERVER", "order-receiver"),
        ("kitchen-orders send", "PRODUCER", "order-receiver"),
    ]
    root, child = spans
    assert root.span_id == _hex_span_id(server)
    assert root.parent_span_id is None
    assert child.parent_span_id == root.span_id
    assert root.attributes == {"order.id": "o-42", "pizzas": ["margherita", "diavola"]}
    assert child.attributes == {"messaging.batch.message_count": 1}
    assert root.end_unix_nano >= child.end_unix_nano > child.start_unix_nano >= root.start_unix_nano


def test_a_link_into_another_trace_is_stored_and_found_from_that_trace(
    store: SpanStore, tracer_for: TracerFactory
) -> None:
    # Given a producer span in one service's trace
    with tracer_for("order-receiver").start_as_current_span("send", kind=SpanKind.PRODUCER) as producer:
        pass

    # When a consumer in another service starts a new trace linking to it, and fails
    link = trace.Link(producer.get_span_context(), {"messaging.operation": "process"})
    with tracer_for("kitchen-processor").start_as_current_span(
        "kitchen-orders process", context=context.Context(), kind=SpanKind.CONSUMER, links=[link]
    ) as consumer:
        consumer.set_status(Status(StatusCode.ERROR, "oven on fire"))

    # Then the consumer is found from the producer's trace, with its link and status
    (stored,) = store.spans_linking_to(_hex_trace_id(producer))
    assert stored.trace_id == _hex_trace_id(consumer) != _hex_trace_id(producer)
    assert stored.service_name == "kitchen-processor"
    assert stored.kind == "CONSUMER"
    assert (stored.status_code, stored.status_message) == ("ERROR", "oven on fire")
    (stored_link,) = stored.links
    assert (stored_link.trace_id, stored_link.span_id) == (_hex_trace_id(producer), _hex_span_id(producer))
    assert stored_link.attributes == {"messaging.operation": "process"}


def test_gzip_compressed_exports_are_accepted(store: SpanStore, tracer_for: TracerFactory) -> None:
    # Given an exporter configured to gzip its requests
    tracer = tracer_for("payment-webhook", compression=Compression.Gzip)

    # When it exports a span
    with tracer.start_as_current_span("POST /webhooks/payment", attributes={"order.id": "o-7"}):
        pass

    # Then the span is stored
    assert [s.name for s in store.spans_with_attribute("order.id", "o-7")] == ["POST /webhooks/payment"]


def test_an_otlp_json_body_is_accepted_and_answered_in_json(receiver: OtlpReceiver, store: SpanStore) -> None:
    # Given an OTLP/JSON body: hex ids, enums as numbers, 64-bit integers as strings
    body = {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "delivery"}}]},
                "scopeSpans": [
                    {
                        "scope": {"name": "manual"},
                        "spans": [
                            {
                                "traceId": "5b8efff798038103d269b633813fc60c",
                                "spanId": "eee19b7ec3c1b174",
                                "parentSpanId": "eee19b7ec3c1b173",
                                "name": "dispatch driver",
                                "kind": 3,
                                "startTimeUnixNano": "1544712660000000000",
                                "endTimeUnixNano": "1544712660250000000",
                                "attributes": [{"key": "distance.km", "value": {"doubleValue": 2.5}}],
                                "status": {"code": 1},
                                "someFutureField": True,
                            }
                        ],
                    }
                ],
            }
        ]
    }

    # When it is posted as application/json
    response = httpx.post(
        receiver.traces_endpoint, content=json.dumps(body), headers={"Content-Type": "application/json"}
    )

    # Then it is acknowledged with an empty JSON response and stored
    assert (response.status_code, response.headers["content-type"], response.json()) == (200, "application/json", {})
    (span,) = store.spans_of_trace("5b8efff798038103d269b633813fc60c")
    assert (span.span_id, span.parent_span_id, span.kind, span.status_code) == (
        "eee19b7ec3c1b174",
        "eee19b7ec3c1b173",
        "CLIENT",
        "OK",
    )
    assert (span.service_name, span.duration_ms, span.attributes) == ("delivery", 250.0, {"distance.km": 2.5})


def test_a_garbage_body_is_rejected_with_a_reason(receiver: OtlpReceiver, store: SpanStore) -> None:
    # Given bodies that are not OTLP in either encoding
    bodies = [("application/x-protobuf", b"\xff\xfe not protobuf"), ("application/json", b"{not json")]

    # When they are posted
    responses = [
        httpx.post(receiver.traces_endpoint, content=body, headers={"Content-Type": kind}) for kind, body in bodies
    ]

    # Then each gets 400 with a reason, and nothing is stored
    assert [r.status_code for r in responses] == [400, 400]
    assert "protobuf" in responses[0].text
    assert "JSON" in responses[1].text
    assert store.count() == 0


def test_an_unsupported_content_type_gets_415(receiver: OtlpReceiver) -> None:
    # Given a body in a media type OTLP does not define
    # When it is posted
    response = httpx.post(receiver.traces_endpoint, content=b"hello", headers={"Content-Type": "text/plain"})

    # Then the receiver answers 415, as the OTLP specification requires
    assert response.status_code == 415


def test_health_answers_ok(receiver: OtlpReceiver) -> None:
    # Given a started receiver
    # When its health is checked
    response = httpx.get(receiver.endpoint + "/health")

    # Then it answers 200
    assert response.status_code == 200


def _stored_post(trace_id: str, started_ns: int) -> StoredSpan:
    return StoredSpan(trace_id, "1" * 16, None, "POST /orders", "SERVER", "api", started_ns, started_ns + 1000)


def test_a_search_stops_at_its_end_as_jaegers_does(receiver: OtlpReceiver, store: SpanStore) -> None:
    # Given traces started at t = 1 s, within the microsecond t = 2 s, and at t = 3 s (Unix time)
    store.add(
        [
            _stored_post("a" * 32, 1_000_000_000),
            _stored_post("c" * 32, 2_000_000_999),
            _stored_post("b" * 32, 3_000_000_000),
        ]
    )

    # When traces are searched up to t = 2 s (Jaeger's end, in microseconds), and without an end
    until_two = httpx.get(receiver.endpoint + "/api/traces", params={"service": "api", "end": "2000000"})
    unbounded = httpx.get(receiver.endpoint + "/api/traces", params={"service": "api"})

    # Then up to the end (its whole microsecond included) the two earlier, and all three without one
    assert [trace["traceID"] for trace in until_two.json()["data"]] == ["c" * 32, "a" * 32]
    assert len(unbounded.json()["data"]) == 3


def test_an_end_that_is_not_a_number_is_refused_with_a_reason(receiver: OtlpReceiver) -> None:
    # When a search's end is not Unix microseconds
    response = httpx.get(receiver.endpoint + "/api/traces", params={"service": "api", "end": "yesterday"})

    # Then it is a 400 saying what end must be
    assert response.status_code == 400
    assert "end is a Unix time in microseconds" in response.text


def test_a_client_that_resets_its_connection_leaves_no_traceback(
    receiver: OtlpReceiver, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a client with a keep-alive connection open, as a Lambda worker's exporter holds one
    host, port = receiver.endpoint.removeprefix("http://").split(":")
    client = socket.create_connection((host, int(port)))
    client.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert client.recv(1024).startswith(b"HTTP/1.1 200")

    # When the worker stops and its connection is reset (RST, not a clean close)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()

    # Then the receiver still answers, and wrote nothing about it to stderr
    assert httpx.get(receiver.endpoint + "/health").status_code == 200
    time.sleep(0.2)
    assert capsys.readouterr().err == ""
