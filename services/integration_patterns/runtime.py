"""A function's cold start and entry point, built by the library so no service repeats them.

A service declares a settings model and a wiring function; :func:`lambda_handler` turns them into
its Lambda entry point. Nothing runs at import: on the first invocation (the cold start) the
settings are validated (failing loudly), tracing and the JSON logger start, and the wiring builds
the adapters from the settings and the cold start's shared clients. Every invocation then runs in
the logger's Lambda context and flushes its spans before returning, as a Lambda may be frozen as
soon as it returns.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import boto3
from aws_lambda_powertools import Logger
from botocore.config import Config
from opentelemetry import trace

from integration_patterns.settings import TelemetrySettings, load_settings
from integration_patterns.tracing import configure_tracing, flush_spans

SettingsT = TypeVar("SettingsT", bound=TelemetrySettings)

# S3 presigned URLs signed with SigV4 everywhere (botocore may pick the deprecated SigV2 otherwise).
_CLIENT_CONFIGS = {"s3": Config(signature_version="s3v4")}

# What a wiring function returns: the function's work for one invocation.
Entrypoint = Callable[[Mapping[str, Any], Any], Any]


class Runtime(Generic[SettingsT]):
    """One cold start: validated settings, the function's logger, and AWS clients built once."""

    def __init__(self, settings: SettingsT, logger: Logger, session: boto3.session.Session) -> None:
        self.settings = settings
        self.logger = logger
        self._session = session
        self._clients: dict[str, Any] = {}

    def client(self, service_name: str, endpoint_url: str | None = None) -> Any:
        """The cold start's client for an AWS service: one per service (and endpoint, for a service
        reached at an address of its own, like a WebSocket API's management endpoint), shared by
        every adapter."""
        key = f"{service_name} {endpoint_url or ''}"
        if key not in self._clients:
            config = _CLIENT_CONFIGS.get(service_name)
            self._clients[key] = self._session.client(service_name, config=config, endpoint_url=endpoint_url)
        return self._clients[key]


def cold_start(settings_model: type[SettingsT]) -> Runtime[SettingsT]:
    """Validate the settings (failing loudly), start tracing and logging, open one AWS session."""
    settings = load_settings(settings_model)
    configure_tracing(
        settings.otel_service_name, settings.otel_exporter_otlp_endpoint, settings.aws_lambda_function_name
    )
    return Runtime(settings, function_logger(settings), boto3.session.Session())


def function_logger(settings: TelemetrySettings) -> Logger:
    """The function's JSON logger at its own level (never the emulator's), with trace and span ids."""
    logger = Logger(service=settings.otel_service_name, level=settings.powertools_log_level)
    logger.addFilter(TraceIdsFilter())
    return logger


class TraceIdsFilter(logging.Filter):
    """Adds the current span's ``trace_id`` and ``span_id`` to each record, so a log line joins its trace."""

    def filter(self, record: logging.LogRecord) -> bool:
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            record.trace_id = trace.format_trace_id(span_context.trace_id)
            record.span_id = trace.format_span_id(span_context.span_id)
        return True


class LambdaHandler(Generic[SettingsT]):
    """A Lambda entry point: cold start and wiring on the first invocation, then ``wire``'s work."""

    def __init__(self, settings_model: type[SettingsT], wire: Callable[[Runtime[SettingsT]], Entrypoint]) -> None:
        self._settings_model = settings_model
        self._wire = wire
        self._wired: tuple[Runtime[SettingsT], Entrypoint] | None = None

    def wired(self) -> tuple[Runtime[SettingsT], Entrypoint]:
        """The cold start's runtime and work, built by the first call: the first invocation, or
        whoever wants the cold start done before any event (a benchmark, a warm-up)."""
        if self._wired is None:
            runtime = cold_start(self._settings_model)
            self._wired = (runtime, self._wire(runtime))
        return self._wired

    def __call__(self, event: Mapping[str, Any], context: Any) -> Any:
        runtime, work = self.wired()
        try:
            if context is None:
                return work(event, context)
            # The request id (and cold start, function name) on every log line of this invocation.
            return runtime.logger.inject_lambda_context(work, clear_state=True)(event, context)
        finally:
            flush_spans()


def lambda_handler(
    settings_model: type[SettingsT], wire: Callable[[Runtime[SettingsT]], Entrypoint]
) -> LambdaHandler[SettingsT]:
    """A Lambda entry point: cold start and wiring on the first invocation, then ``wire``'s work."""
    return LambdaHandler(settings_model, wire)


def utc_now() -> datetime:
    """The clock every composition root injects (use cases take ``now`` as a parameter)."""
    return datetime.now(UTC)
