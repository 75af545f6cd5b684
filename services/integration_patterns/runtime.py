"""Cold-start wiring every function shares: tracing and a structured logger."""

from __future__ import annotations

from datetime import UTC, datetime

from aws_lambda_powertools import Logger

from integration_patterns.settings import TelemetrySettings
from integration_patterns.tracing import configure_tracing


def start_observability(settings: TelemetrySettings) -> Logger:
    """Configure OpenTelemetry for this function and return its JSON logger."""
    configure_tracing(
        settings.otel_service_name, settings.otel_exporter_otlp_endpoint, settings.aws_lambda_function_name
    )
    return Logger(service=settings.otel_service_name)


def utc_now() -> datetime:
    """The clock every composition root injects (use cases take ``now`` as a parameter)."""
    return datetime.now(UTC)
