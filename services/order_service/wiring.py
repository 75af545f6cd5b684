"""The order service's three functions: settings, adapters built once per cold start, entry points.

The HTTP API's entry point is in :mod:`order_service.http_api`; it is wired here like the others.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from pydantic import Field, field_validator, model_validator

from integration_patterns.consumer import SpanFacts, TraceMode
from integration_patterns.consumer_runtime import ConsumerSettings, consumer
from integration_patterns.durable_functions import DurableExecutionStarter
from integration_patterns.field_encryption import KmsFieldCipher
from integration_patterns.idempotent_requests import IdempotentRequests
from integration_patterns.one_time_schedule import OneTimeEventScheduler
from integration_patterns.outbox_relay import OutboxRelay
from integration_patterns.outbox_routes import publish_route, queue_route, schedule_route
from integration_patterns.pubsub_publisher import CloudEventPublisher, EventBridgeChannel, PublishChannel, SnsChannel
from integration_patterns.runtime import Entrypoint, Runtime, lambda_handler, utc_now
from integration_patterns.settings import TelemetrySettings
from integration_patterns.sqs_sender import SqsCloudEventSender
from inventory_service.domain import DEFAULT_INITIAL_STOCK
from inventory_service.dynamodb_stock import DynamoDbStockLedger
from inventory_service.ports import StockLedger
from order_service.adapters.acknowledgement_translator import ACKNOWLEDGEMENT_TRANSLATION
from order_service.adapters.contracts import KITCHEN_ALERTS_DESTINATION, KITCHEN_DESTINATION, ORDER_EVENTS_DESTINATION
from order_service.adapters.dynamodb_order_repository import DynamoDbOrderRepository
from order_service.adapters.outbox_messages import OrderEventMessages
from order_service.adapters.workflows import ChoreographedWorkflow, OrchestratedWorkflow
from order_service.domain.acknowledgement import KitchenAcknowledgement, UnknownOrder
from order_service.ports import OrderRepository, OrderWorkflow
from order_service.use_cases import acknowledge_order
from pizza_contracts import ORDER_EVENTS_EVENTBRIDGE_SOURCE

OrderEventChannel = Literal["sns", "eventbridge"]
# How a placed order goes through: the orchestrated saga (a durable function) or the choreography.
WorkflowName = Literal["saga", "choreography"]


class OrderApiSettings(TelemetrySettings):
    orders_table_name: str
    # Where the kitchen replies: order.placed names it, and the outbox relay sends order.placed.
    acknowledgement_queue_url: str
    # Set where the API's address cannot be derived from the request (an emulator's URL scheme).
    public_api_url: str | None = None
    # POST /orders responses remembered by Idempotency-Key, and for how long (a day by default).
    idempotency_table_name: str
    idempotency_ttl_seconds: int = Field(default=86400, gt=0)
    # GET /menu: the inventory's stock levels (read only).
    inventory_stock_table_name: str
    inventory_reservations_table_name: str
    initial_stock: int = Field(default=DEFAULT_INITIAL_STOCK, ge=0)
    order_workflow: WorkflowName = "saga"
    # The saga's published alias (or version): durable executions never start on $LATEST.
    order_saga_function_arn: str | None = None

    @model_validator(mode="after")
    def _saga_needs_its_function(self) -> OrderApiSettings:
        if self.order_workflow == "saga" and not self.order_saga_function_arn:
            raise ValueError("ORDER_WORKFLOW=saga needs ORDER_SAGA_FUNCTION_ARN (the saga's alias ARN)")
        return self


class AcknowledgementProcessorSettings(ConsumerSettings):
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


def new_order_id() -> str:
    return str(uuid.uuid4())


_KEYED_ORDER_IDS = uuid.UUID("0c6f3c1e-5b7a-4d2e-9a41-7f3e2d1c0b9a")


def order_id_for_key(idempotency_key: str) -> str:
    """The id of the order an Idempotency-Key places: the same key always names the same order."""
    return str(uuid.uuid5(_KEYED_ORDER_IDS, idempotency_key))


@dataclass(frozen=True)
class OrderApi:
    """What the HTTP API's routes work with, built once per cold start."""

    settings: OrderApiSettings
    orders: OrderRepository
    workflow: OrderWorkflow
    stock: StockLedger
    # POST /orders with an Idempotency-Key runs through here.
    requests: IdempotentRequests
    new_order_id: Callable[[], str] = new_order_id
    order_id_for_key: Callable[[str], str] = order_id_for_key
    now: Callable[[], datetime] = utc_now


def order_api(runtime: Runtime[OrderApiSettings]) -> OrderApi:
    settings, dynamodb = runtime.settings, runtime.client("dynamodb")
    messages = OrderEventMessages(reply_queue_url=settings.acknowledgement_queue_url)
    store = DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name, boto3_client=dynamodb)
    return OrderApi(
        settings=settings,
        orders=DynamoDbOrderRepository(dynamodb, settings.orders_table_name, messages.messages),
        workflow=order_workflow(runtime),
        stock=DynamoDbStockLedger(
            dynamodb,
            settings.inventory_stock_table_name,
            settings.inventory_reservations_table_name,
            settings.initial_stock,
        ),
        requests=IdempotentRequests(store, key_prefix="POST /orders", ttl_seconds=settings.idempotency_ttl_seconds),
    )


def order_workflow(runtime: Runtime[OrderApiSettings]) -> OrderWorkflow:
    settings = runtime.settings
    if settings.order_workflow == "choreography":
        return ChoreographedWorkflow()
    assert settings.order_saga_function_arn is not None  # the settings' own rule
    return OrchestratedWorkflow(DurableExecutionStarter(runtime.client("lambda"), settings.order_saga_function_arn))


def wire_acknowledgements(runtime: Runtime[AcknowledgementProcessorSettings]) -> Entrypoint:
    settings = runtime.settings
    messages = OrderEventMessages(
        confirmed_version=settings.order_confirmed_version,
        encrypt=KmsFieldCipher(runtime.client("kms"), settings.order_pii_key_id).encrypt,
        key_id=settings.order_pii_key_id,
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
