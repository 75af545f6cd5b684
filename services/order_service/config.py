"""The order service's settings, validated at cold start."""

from __future__ import annotations

from integration_patterns.settings import TelemetrySettings


class OrderApiSettings(TelemetrySettings):
    orders_table_name: str
    kitchen_queue_url: str
    acknowledgement_queue_url: str
    # Set where the API's address cannot be derived from the request (an emulator's URL scheme).
    public_api_url: str | None = None


class AcknowledgementProcessorSettings(TelemetrySettings):
    orders_table_name: str
    dead_letter_queue_url: str
