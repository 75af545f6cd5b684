"""The library-built Lambda entry point: one cold start, settings checked first, logs joined to traces."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from integration_patterns.consumer_runtime import ConsumerSettings
from integration_patterns.runtime import Entrypoint, Runtime, TraceIdsFilter, lambda_handler
from integration_patterns.settings import ConfigurationError, load_settings

_tracer = trace.get_tracer(__name__)


class _Settings(ConsumerSettings):
    things_table_name: str


class _LambdaContext:
    function_name = "things"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:things"
    aws_request_id = "req-123"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


ENVIRONMENT = {
    "OTEL_SERVICE_NAME": "things",
    "DEAD_LETTER_QUEUE_URL": "https://sqs.test/things-dlq",
    "THINGS_TABLE_NAME": "things",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def test_wiring_runs_once_per_cold_start_and_every_invocation_runs_its_work(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a valid environment and a wiring function that counts its calls
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    wirings: list[Runtime[_Settings]] = []

    def wire(runtime: Runtime[_Settings]) -> Entrypoint:
        wirings.append(runtime)
        return lambda event, _context: {"seen": event["n"], "table": runtime.settings.things_table_name}

    handler = lambda_handler(_Settings, wire)

    # When nothing has been invoked yet / Then nothing was built (no work at import)
    assert wirings == []

    # When it is invoked twice
    answers = [handler({"n": n}, _LambdaContext()) for n in (1, 2)]

    # Then it was wired once, with the validated settings, and both invocations ran
    assert len(wirings) == 1
    assert answers == [{"seen": 1, "table": "things"}, {"seen": 2, "table": "things"}]
    assert wirings[0].client("sqs") is wirings[0].client("sqs")


def test_a_broken_environment_fails_the_cold_start_naming_every_bad_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an environment missing the table and with an empty DLQ URL
    for name, value in {**ENVIRONMENT, "DEAD_LETTER_QUEUE_URL": ""}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("THINGS_TABLE_NAME")
    handler = lambda_handler(_Settings, lambda runtime: lambda event, context: None)

    # When it is invoked / Then it fails loudly, naming both
    with pytest.raises(ConfigurationError) as failure:
        handler({}, _LambdaContext())
    assert "THINGS_TABLE_NAME" in str(failure.value) and "DEAD_LETTER_QUEUE_URL" in str(failure.value)


@pytest.mark.parametrize("blank", ["", "   "])
def test_every_given_string_setting_must_be_non_empty(blank: str) -> None:
    # Given a blank value for a required name / When loaded / Then it is refused like a missing one
    with pytest.raises(ConfigurationError, match="OTEL_SERVICE_NAME"):
        load_settings(_Settings, {**ENVIRONMENT, "OTEL_SERVICE_NAME": blank})


def test_the_log_level_is_the_functions_own_info_by_default_whatever_the_hosts_log_level() -> None:
    # Given a host that says LOG_LEVEL=WARNING (as the emulator does) / When settings load
    settings = load_settings(_Settings, {**ENVIRONMENT, "LOG_LEVEL": "WARNING"})

    # Then the function logs at INFO unless POWERTOOLS_LOG_LEVEL says otherwise
    assert settings.powertools_log_level == "INFO"
    assert load_settings(_Settings, {**ENVIRONMENT, "POWERTOOLS_LOG_LEVEL": "DEBUG"}).powertools_log_level == "DEBUG"


def test_each_log_line_carries_the_trace_and_span_ids_of_the_current_span(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given a JSON logger with the trace-ids filter
    stream = io.StringIO()
    logger = Logger(service="trace-ids-example", stream=stream)
    logger.addFilter(TraceIdsFilter())

    # When it logs inside a span, and outside any
    with _tracer.start_as_current_span("work") as span:
        logger.info("inside")
    logger.info("outside")

    # Then the line inside names the span's trace and span ids, the one outside names none
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    context = span.get_span_context()
    assert inside["trace_id"] == f"{context.trace_id:032x}" and inside["span_id"] == f"{context.span_id:016x}"
    assert "trace_id" not in outside


def test_each_invocation_logs_with_its_lambda_request_id(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a wired function whose work logs a line
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    stream = io.StringIO()

    def wire(runtime: Runtime[_Settings]) -> Entrypoint:
        for handler in runtime.logger.handlers:
            handler.setStream(stream)  # type: ignore[attr-defined]

        def work(event: Mapping[str, Any], _context: Any) -> None:
            runtime.logger.info("working")

        return work

    # When it is invoked
    lambda_handler(_Settings, wire)({}, _LambdaContext())

    # Then the line names the invocation's request id
    [line] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert line["function_request_id"] == "req-123"
