"""Fixtures for the telemetry tooling: a span store, a started receiver, and SDK tracers exporting
to it over real OTLP/HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.trace import Tracer

from pizza_ops.telemetry import OtlpReceiver, SpanStore

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
