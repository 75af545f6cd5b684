"""Cold-start wiring every function shares: settings, tracing, a structured logger, an AWS session."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Generic, NamedTuple, TypeVar

import boto3
from aws_lambda_powertools import Logger

from integration_patterns.settings import TelemetrySettings, load_settings
from integration_patterns.tracing import configure_tracing

SettingsT = TypeVar("SettingsT", bound=TelemetrySettings)


class ColdStart(NamedTuple, Generic[SettingsT]):
    """What every composition root starts from; it builds its clients from ``session``."""

    settings: SettingsT
    logger: Logger
    session: boto3.session.Session


def cold_start(settings_model: type[SettingsT]) -> ColdStart[SettingsT]:
    """Validate the settings (failing loudly), start tracing and logging, open one AWS session."""
    settings = load_settings(settings_model)
    return ColdStart(settings, start_observability(settings), boto3.session.Session())


def start_observability(settings: TelemetrySettings) -> Logger:
    """Configure OpenTelemetry for this function and return its JSON logger."""
    configure_tracing(
        settings.otel_service_name, settings.otel_exporter_otlp_endpoint, settings.aws_lambda_function_name
    )
    return Logger(service=settings.otel_service_name)


def utc_now() -> datetime:
    """The clock every composition root injects (use cases take ``now`` as a parameter)."""
    return datetime.now(UTC)
