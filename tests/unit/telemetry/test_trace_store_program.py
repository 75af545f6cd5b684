"""`python -m pizza_ops.telemetry`: the trace store run alone, as Jaeger's stand-in in a container."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span

PROGRAM = [sys.executable, "-m", "pizza_ops.telemetry", "--host", "127.0.0.1"]
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _export_request() -> bytes:
    span = Span(
        trace_id=bytes.fromhex(TRACE_ID),
        span_id=bytes.fromhex("b7ad6b7169203331"),
        name="place order",
        kind=Span.SPAN_KIND_SERVER,
        start_time_unix_nano=1_000_000_000,
        end_time_unix_nano=2_000_000_000,
    )
    resource_spans = ResourceSpans(scope_spans=[ScopeSpans(spans=[span])])
    resource_spans.resource.attributes.add(key="service.name").value.string_value = "order-receiver"
    return ExportTraceServiceRequest(resource_spans=[resource_spans]).SerializeToString()


@pytest.fixture
def running() -> Iterator[tuple[subprocess.Popen[str], int, int]]:
    query_port, otlp_port = _free_port(), _free_port()
    command = [*PROGRAM, "--port", str(query_port), "--otlp-port", str(otlp_port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("trace store: query API")
        yield process, query_port, otlp_port
    finally:
        process.kill()
        process.wait(timeout=10)


def test_spans_sent_to_the_otlp_port_are_served_by_the_query_port(
    running: tuple[subprocess.Popen[str], int, int],
) -> None:
    # Given the trace store running alone on a query port and an OTLP port
    _, query_port, otlp_port = running

    # When an exporter posts a span to the OTLP port
    exported = httpx.post(
        f"http://127.0.0.1:{otlp_port}/v1/traces",
        content=_export_request(),
        headers={"Content-Type": "application/x-protobuf"},
    )

    # Then the Jaeger query API on the other port serves it, under its service
    assert exported.status_code == 200
    services = httpx.get(f"http://127.0.0.1:{query_port}/api/services").json()["data"]
    trace = httpx.get(f"http://127.0.0.1:{query_port}/api/traces/{TRACE_ID}").json()["data"][0]
    assert services == ["order-receiver"]
    assert [span["operationName"] for span in trace["spans"]] == ["place order"]


def test_sigterm_stops_it_cleanly(running: tuple[subprocess.Popen[str], int, int]) -> None:
    # Given the trace store running
    process, query_port, _ = running

    # When it is sent SIGTERM, as `docker stop` does
    process.terminate()

    # Then it exits at once with status 0, and its port is free again
    assert process.wait(timeout=5) == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", query_port))


def test_a_port_in_use_ends_it_with_one_line_naming_the_port() -> None:
    # Given a port something else listens on
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        # When the trace store is told to use it
        started = time.monotonic()
        result = subprocess.run(
            [*PROGRAM, "--port", str(port), "--otlp-port", str(_free_port())],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    # Then it exits with status 1 and one line that names the address, without a stack trace
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"python -m pizza_ops.telemetry: cannot listen on 127.0.0.1:{port}: already in use"
    ]
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("port", ["0", "65536", "http", "-1"])
def test_a_bad_port_number_ends_it_with_one_line(port: str) -> None:
    # Given a value that is no port number / When it is given as a port
    result = subprocess.run([*PROGRAM, "--port", port], capture_output=True, text=True, timeout=30, check=False)

    # Then it exits with status 2 (a usage error) and one line saying why
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"python -m pizza_ops.telemetry: argument --port: {port!r} is not a port number from 1 to 65535"
    ]
