"""The analytics service's settings, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from integration_patterns.subscriber_runtime import SubscriberSettings


class AnalyticsSettings(SubscriberSettings):
    pizza_counts_table_name: str = Field(min_length=1)
    counted_orders_table_name: str = Field(min_length=1)
