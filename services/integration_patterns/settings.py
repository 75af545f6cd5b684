"""Configuration validated once, at cold start, from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

SettingsT = TypeVar("SettingsT", bound=BaseModel)


class ConfigurationError(RuntimeError):
    """The function's environment is missing or has malformed settings; it cannot start."""


def load_settings(model: type[SettingsT], environ: Mapping[str, str] | None = None) -> SettingsT:
    """Validate the environment against ``model`` (field names are upper-cased env var names).

    Fails loudly at cold start, naming every bad variable, rather than at the first message.
    """
    source = os.environ if environ is None else environ
    values = {name: source[name.upper()] for name in model.model_fields if name.upper() in source}
    try:
        return model.model_validate(values)
    except ValidationError as error:
        # A rule on the whole model (one setting required by another) names its variables itself.
        problems = ", ".join(
            f"{str(e['loc'][0]).upper()}: {e['msg']}" if e["loc"] else e["msg"] for e in error.errors(include_url=False)
        )
        raise ConfigurationError(f"invalid configuration for {model.__name__}: {problems}") from error


class TelemetrySettings(BaseModel):
    """What every function reads: OpenTelemetry's standard OTEL_* variables and its log level.

    Every string setting that is given must be non-empty: an empty table name or URL is a broken
    deployment, refused at cold start rather than at the first message.
    """

    model_config = ConfigDict(str_min_length=1, str_strip_whitespace=True, frozen=True)

    otel_service_name: str
    otel_exporter_otlp_endpoint: str | None = None
    aws_lambda_function_name: str = ""
    # The function's own level (Powertools' variable), whatever the host's LOG_LEVEL says.
    powertools_log_level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$")
