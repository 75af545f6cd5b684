"""The analytics service's settings, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from integration_patterns.inbox import DEFAULT_TTL_SECONDS
from integration_patterns.settings import TelemetrySettings


class AnalyticsSettings(TelemetrySettings):
    inbox_table_name: str = Field(min_length=1)
    inbox_ttl_seconds: int = Field(default=DEFAULT_TTL_SECONDS, gt=0)
    pizza_counts_table_name: str = Field(min_length=1)
    dead_letter_queue_url: str = Field(min_length=1)
