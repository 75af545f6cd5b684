"""Fixtures for the telemetry tooling: a span store, a started receiver, SDK tracers exporting
to it over real OTLP/HTTP, and hand-made spans put straight into the store."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Tracer

from pizza_ops.telemetry import AttributeValue, OtlpReceiver, SpanLink, SpanStore, StoredSpan

TracerFactory = Callable[..., Tracer]


@pytest.fixture
def store() -> Iterator[SpanStore]:
    span_store = SpanStore(":memory:")
    yield span_store
    span_store.close()


@pytest.fixture
def receiver(store: SpanStore) -> Iterator[OtlpReceiver]:
    with OtlpReceiver(store) as started:
        yield started


@pytest.fixture
def tracer_for(receiver: OtlpReceiver) -> Iterator[TracerFactory]:
    """tracer_for("order-receiver") -> a tracer of that service, exporting each span as it ends."""
    providers: list[TracerProvider] = []

    def make(service_name: str, compression: Compression = Compression.NoCompression) -> Tracer:
        provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
        exporter = OTLPSpanExporter(endpoint=receiver.traces_endpoint, compression=compression, timeout=5)
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        providers.append(provider)
        return provider.get_tracer("pizza.tests")

    yield make
    for provider in providers:
        provider.shutdown()


AddSpan = Callable[..., StoredSpan]
BASE_UNIX_NANO = 1_700_000_000_000_000_000  # 2023-11-14 22:13:20 UTC


@pytest.fixture
def add_span(store: SpanStore) -> AddSpan:
    """add_span(trace_id, span_id, service, ...) -> the StoredSpan, already in the store.

    Times are whole milliseconds after BASE_UNIX_NANO, so they survive Jaeger's microseconds.
    """

    def add(
        trace_id: str,
        span_id: str,
        service: str,
        *,
        name: str = "work",
        kind: str = "INTERNAL",
        parent: StoredSpan | None = None,
        start_ms: int = 0,
        attributes: dict[str, AttributeValue] | None = None,
        links: tuple[StoredSpan, ...] = (),
    ) -> StoredSpan:
        span = StoredSpan(
            trace_id=trace_id,
            span_id=span_id,
            parent_span_id=parent.span_id if parent else None,
            name=name,
            kind=kind,
            service_name=service,
            start_unix_nano=BASE_UNIX_NANO + start_ms * 1_000_000,
            end_unix_nano=BASE_UNIX_NANO + (start_ms + 5) * 1_000_000,
            attributes=attributes or {},
            links=tuple(SpanLink(target.trace_id, target.span_id) for target in links),
        )
        store.add([span])
        return span

    return add
