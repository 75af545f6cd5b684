"""The order service's queue- and stream-fed functions: settings, adapters built once per cold start,
entry points.

The HTTP API is wired in :mod:`order_service.api_wiring` and the saga in
:mod:`order_service.saga_wiring`: each needs other services' packages, which these functions' zip
does not carry.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator

from integration_patterns.claim_check_runtime import ClaimCheckSettings, claim_check
from integration_patterns.consumer import SpanFacts, TraceMode
from integration_patterns.consumer_runtime import ConsumerSettings, consumer
from integration_patterns.field_encryption import KmsFieldCipher
from integration_patterns.one_time_schedule import OneTimeEventScheduler
from integration_patterns.outbox_relay import OutboxRelay
from integration_patterns.outbox_routes import publish_route, queue_route, schedule_route
from integration_patterns.pubsub_publisher import CloudEventPublisher, EventBridgeChannel, PublishChannel, SnsChannel
from integration_patterns.runtime import Entrypoint, Runtime, lambda_handler
from integration_patterns.settings import TelemetrySettings
from integration_patterns.sqs_sender import SqsCloudEventSender
from order_service.adapters.acknowledgement_translator import ACKNOWLEDGEMENT_TRANSLATION
from order_service.adapters.contracts import (
    KITCHEN_ALERTS_DESTINATION,
    KITCHEN_DESTINATION,
    ORDER_EVENT_CLAIMS,
    ORDER_EVENTS_DESTINATION,
    WEBHOOKS_DESTINATION,
)
from order_service.adapters.dynamodb_order_repository import DynamoDbOrderRepository
from order_service.adapters.outbox_messages import OrderEventMessages
from order_service.domain.acknowledgement import KitchenAcknowledgement, UnknownOrder
from order_service.use_cases import acknowledge_order
from pizza_contracts import ORDER_EVENTS_EVENTBRIDGE_SOURCE

OrderEventChannel = Literal["sns", "eventbridge"]


class AcknowledgementProcessorSettings(ConsumerSettings, ClaimCheckSettings):
    orders_table_name: str
    # Which order.confirmed version is written to the outbox (see ORDER_CONFIRMED_VERSIONS).
    order_confirmed_version: int = Field(default=2, ge=1, le=2)
    order_pii_key_id: str
    kitchen_alert_lead_seconds: int = Field(default=1800, ge=0)


class OutboxPublisherSettings(TelemetrySettings):
    orders_table_name: str
    kitchen_queue_url: str
    order_events_topic_arn: str
    order_events_bus_name: str
    # "sns", "eventbridge" or both, comma-separated: which channels carry order events (see
    # infra/system.yaml for why SNS alone is the default).
    order_event_channels: tuple[OrderEventChannel, ...] = ("sns",)
    kitchen_alert_schedule_group: str
    kitchen_alert_queue_arn: str
    kitchen_alert_scheduler_role_arn: str
    # Status changes of orders with a callbackUrl: the webhook dispatcher's queue.
    webhook_queue_url: str

    @field_validator("order_event_channels", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            channels = tuple(part.strip() for part in value.split(",") if part.strip())
            if not channels:
                raise ValueError("name at least one channel: sns, eventbridge")
            return channels
        return value


def wire_acknowledgements(runtime: Runtime[AcknowledgementProcessorSettings]) -> Entrypoint:
    settings = runtime.settings
    messages = OrderEventMessages(
        confirmed_version=settings.order_confirmed_version,
        encrypt=KmsFieldCipher(runtime.client("kms"), settings.order_pii_key_id).encrypt,
        key_id=settings.order_pii_key_id,
        claims=claim_check(runtime, ORDER_EVENT_CLAIMS),
    )
    orders = DynamoDbOrderRepository(runtime.client("dynamodb"), settings.orders_table_name, messages.messages)
    lead_time = timedelta(seconds=settings.kitchen_alert_lead_seconds)

    def acknowledge(acknowledgement: KitchenAcknowledgement) -> SpanFacts:
        return {"order.acknowledgement.outcome": acknowledge_order(acknowledgement, orders, lead_time).value}

    # Point-to-point: the acknowledgement is part of the order's own trace.
    return consumer(
        runtime, ACKNOWLEDGEMENT_TRANSLATION, acknowledge, trace_mode=TraceMode.CONTINUE, rejects=(UnknownOrder,)
    ).process


def wire_outbox(runtime: Runtime[OutboxPublisherSettings]) -> Entrypoint:
    settings = runtime.settings
    scheduler = OneTimeEventScheduler(
        runtime.client("scheduler"),
        group_name=settings.kitchen_alert_schedule_group,
        target_arn=settings.kitchen_alert_queue_arn,
        role_arn=settings.kitchen_alert_scheduler_role_arn,
    )
    routes = {
        KITCHEN_DESTINATION: queue_route(SqsCloudEventSender(runtime.client("sqs"), settings.kitchen_queue_url)),
        ORDER_EVENTS_DESTINATION: publish_route(
            CloudEventPublisher(_order_event_channels(runtime), destination_name="order-events")
        ),
        KITCHEN_ALERTS_DESTINATION: schedule_route(scheduler),
        WEBHOOKS_DESTINATION: queue_route(SqsCloudEventSender(runtime.client("sqs"), settings.webhook_queue_url)),
    }
    relay = OutboxRelay(runtime.client("dynamodb"), settings.orders_table_name, routes, runtime.logger)
    return lambda event, _context: {"sent": relay.process(dict(event))}


def _order_event_channels(runtime: Runtime[OutboxPublisherSettings]) -> list[PublishChannel]:
    settings = runtime.settings
    channels: list[PublishChannel] = []
    if "sns" in settings.order_event_channels:
        channels.append(SnsChannel(runtime.client("sns"), settings.order_events_topic_arn))
    if "eventbridge" in settings.order_event_channels:
        channels.append(
            EventBridgeChannel(
                runtime.client("events"), settings.order_events_bus_name, ORDER_EVENTS_EVENTBRIDGE_SOURCE
            )
        )
    return channels


acknowledgement_handler = lambda_handler(AcknowledgementProcessorSettings, wire_acknowledgements)
outbox_handler = lambda_handler(OutboxPublisherSettings, wire_outbox)
