"""The delivery service's settings, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from integration_patterns.subscriber_runtime import SubscriberSettings


class DeliverySettings(SubscriberSettings):
    deliveries_table_name: str = Field(min_length=1)
    order_pii_key_id: str = Field(min_length=1)
