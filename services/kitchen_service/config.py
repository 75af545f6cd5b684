"""The kitchen's settings, validated at cold start."""

from __future__ import annotations

from pydantic import field_validator

from integration_patterns.settings import TelemetrySettings


class KitchenProcessorSettings(TelemetrySettings):
    kitchen_orders_table_name: str
    dead_letter_queue_url: str
    allowed_reply_queue_urls: frozenset[str] = frozenset()
    uncookable_pizza: str | None = None

    @field_validator("allowed_reply_queue_urls", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(url.strip() for url in value.split(",") if url.strip())
        return value


class KitchenAlertProcessorSettings(TelemetrySettings):
    kitchen_orders_table_name: str
    dead_letter_queue_url: str
