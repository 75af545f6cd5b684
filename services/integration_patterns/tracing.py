"""OpenTelemetry set-up for a Lambda, and W3C trace-context propagation through messages.

A Lambda may be frozen right after it returns, so spans are flushed before the handler returns
(:func:`flush_spans`, which the library-built entry point calls) instead of relying on a background exporter thread.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.propagators.textmap import Getter, Setter
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider

_provider: TracerProvider | None = None


def configure_tracing(service_name: str, otlp_endpoint: str | None, function_name: str = "") -> TracerProvider:
    """Install the global tracer provider once per cold start, exporting OTLP/HTTP when configured.

    ``otlp_endpoint`` is the collector's base URL (``http://host:4318``); None keeps spans local
    (useful in unit tests). AWS SDK calls are traced too, as CLIENT spans.
    """
    global _provider
    if _provider is not None:
        return _provider
    attributes = {"service.name": service_name, "cloud.provider": "aws"}
    if function_name:
        attributes["faas.name"] = function_name
    provider = TracerProvider(resource=Resource.create(attributes))
    if otlp_endpoint:
        provider.add_span_processor(_otlp_processor(otlp_endpoint))
    trace.set_tracer_provider(provider)
    _instrument_aws_sdk()
    _provider = provider
    return provider


def _otlp_processor(otlp_endpoint: str) -> SpanProcessor:
    # Imported only when configured: the exporter pulls in protobuf and requests, and a module that
    # merely imports this one (every handler) should not pay for them.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    exporter = OTLPSpanExporter(endpoint=otlp_endpoint.rstrip("/") + "/v1/traces", timeout=5)
    return BatchSpanProcessor(exporter)


def _instrument_aws_sdk() -> None:
    from opentelemetry.instrumentation.botocore import BotocoreInstrumentor

    from integration_patterns.aws_call_attributes import record_call_resources

    # Each call's span also names the resource IAM authorises it on, where the instrumentation does not.
    BotocoreInstrumentor().instrument(request_hook=record_call_resources)


def flush_spans() -> None:
    """Export every finished span now (a Lambda may be frozen as soon as it returns)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush(timeout_millis=5000)


class _SqsAttributeSetter(Setter[MutableMapping[str, Any]]):
    def set(self, carrier: MutableMapping[str, Any], key: str, value: str) -> None:
        carrier[key] = {"DataType": "String", "StringValue": value}


class _SqsRecordAttributeGetter(Getter[Mapping[str, Any]]):
    """Reads Lambda's SQS record shape: ``messageAttributes[key].stringValue``."""

    def get(self, carrier: Mapping[str, Any], key: str) -> list[str] | None:
        attribute = carrier.get(key)
        if not attribute:
            return None
        value = attribute.get("stringValue") or attribute.get("StringValue")
        return [value] if value else None

    def keys(self, carrier: Mapping[str, Any]) -> list[str]:
        return list(carrier.keys())


def inject_into_sqs_attributes(message_attributes: MutableMapping[str, Any], context: Context | None = None) -> None:
    """Write the trace context (traceparent/tracestate) of ``context``, the current one if None, as
    SQS message attributes."""
    propagate.inject(message_attributes, context=context, setter=_SqsAttributeSetter())


def extract_from_sqs_attributes(message_attributes: Mapping[str, Any]) -> Context:
    """The producer's trace context from a Lambda SQS record's message attributes."""
    return propagate.extract(message_attributes, getter=_SqsRecordAttributeGetter())
