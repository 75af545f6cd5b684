"""The order service's settings, validated at cold start."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from integration_patterns.settings import TelemetrySettings

OrderEventChannel = Literal["sns", "eventbridge"]


class OrderApiSettings(TelemetrySettings):
    orders_table_name: str
    # Where the kitchen replies: order.placed names it, and the outbox relay sends order.placed.
    acknowledgement_queue_url: str
    # Set where the API's address cannot be derived from the request (an emulator's URL scheme).
    public_api_url: str | None = None
    # POST /orders responses remembered by Idempotency-Key, and for how long (a day by default).
    idempotency_table_name: str = Field(min_length=1)
    idempotency_ttl_seconds: int = Field(default=86400, gt=0)


class AcknowledgementProcessorSettings(TelemetrySettings):
    orders_table_name: str
    dead_letter_queue_url: str
    # Which order.confirmed version is written to the outbox (see ORDER_CONFIRMED_VERSIONS).
    order_confirmed_version: int = Field(default=2, ge=1, le=2)
    order_pii_key_id: str
    kitchen_alert_lead_seconds: int = Field(default=1800, ge=0)


class OutboxPublisherSettings(TelemetrySettings):
    orders_table_name: str
    kitchen_queue_url: str
    order_events_topic_arn: str
    order_events_bus_name: str
    # "sns", "eventbridge" or both, comma-separated: which channels carry order events.
    order_event_channels: tuple[OrderEventChannel, ...] = ("sns", "eventbridge")
    kitchen_alert_schedule_group: str
    kitchen_alert_queue_arn: str
    kitchen_alert_scheduler_role_arn: str

    @field_validator("order_event_channels", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            channels = tuple(part.strip() for part in value.split(",") if part.strip())
            if not channels:
                raise ValueError("name at least one channel: sns, eventbridge")
            return channels
        return value
