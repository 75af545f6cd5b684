"""Composition root: builds adapters from validated settings, once per cold start."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from integration_patterns.dead_letter import DeadLetterSink
from integration_patterns.field_encryption import KmsFieldCipher
from integration_patterns.idempotent_requests import IdempotentRequests
from integration_patterns.one_time_schedule import OneTimeEventScheduler
from integration_patterns.outbox_relay import OutboxRelay
from integration_patterns.outbox_routes import publish_route, queue_route, schedule_route
from integration_patterns.pubsub_publisher import CloudEventPublisher, EventBridgeChannel, PublishChannel, SnsChannel
from integration_patterns.runtime import cold_start, utc_now
from integration_patterns.sqs_batch import SqsBatchConsumer
from integration_patterns.sqs_sender import SqsCloudEventSender
from order_service.acknowledgement_records import handle_acknowledgement
from order_service.adapters.contracts import (
    EVENTBRIDGE_SOURCE,
    KITCHEN_ALERTS_DESTINATION,
    KITCHEN_DESTINATION,
    ORDER_EVENTS_DESTINATION,
)
from order_service.adapters.dynamodb_order_repository import DynamoDbOrderRepository
from order_service.adapters.outbox_messages import OrderEventMessages
from order_service.config import AcknowledgementProcessorSettings, OrderApiSettings, OutboxPublisherSettings
from order_service.ports import OrderRepository


def new_order_id() -> str:
    return str(uuid.uuid4())


_KEYED_ORDER_IDS = uuid.UUID("0c6f3c1e-5b7a-4d2e-9a41-7f3e2d1c0b9a")


def order_id_for_key(idempotency_key: str) -> str:
    """The id of the order an Idempotency-Key places: the same key always names the same order."""
    return str(uuid.uuid5(_KEYED_ORDER_IDS, idempotency_key))


@dataclass(frozen=True)
class OrderApi:
    settings: OrderApiSettings
    orders: OrderRepository
    logger: Logger
    # POST /orders with an Idempotency-Key runs through here.
    requests: IdempotentRequests
    new_order_id: Callable[[], str] = new_order_id
    order_id_for_key: Callable[[str], str] = order_id_for_key
    now: Callable[[], datetime] = utc_now


@dataclass(frozen=True)
class AcknowledgementProcessor:
    orders: OrderRepository
    consumer: SqsBatchConsumer


@functools.cache
def order_api() -> OrderApi:
    settings, logger, session = cold_start(OrderApiSettings)
    messages = OrderEventMessages(reply_queue_url=settings.acknowledgement_queue_url)
    dynamodb = session.client("dynamodb")
    store = DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name, boto3_client=dynamodb)
    return OrderApi(
        settings=settings,
        orders=DynamoDbOrderRepository(dynamodb, settings.orders_table_name, messages),
        logger=logger,
        requests=IdempotentRequests(store, key_prefix="POST /orders", ttl_seconds=settings.idempotency_ttl_seconds),
    )


@functools.cache
def acknowledgement_processor() -> AcknowledgementProcessor:
    settings, logger, session = cold_start(AcknowledgementProcessorSettings)
    messages = OrderEventMessages(
        confirmed_version=settings.order_confirmed_version,
        encrypt=KmsFieldCipher(session.client("kms"), settings.order_pii_key_id).encrypt,
        key_id=settings.order_pii_key_id,
    )
    orders = DynamoDbOrderRepository(session.client("dynamodb"), settings.orders_table_name, messages)
    consumer = SqsBatchConsumer(
        functools.partial(
            handle_acknowledgement,
            orders=orders,
            alert_lead_time=timedelta(seconds=settings.kitchen_alert_lead_seconds),
        ),
        dead_letter=DeadLetterSink(session.client("sqs"), settings.dead_letter_queue_url),
        logger=logger,
    )
    return AcknowledgementProcessor(orders=orders, consumer=consumer)


@functools.cache
def outbox_publisher() -> OutboxRelay:
    settings, logger, session = cold_start(OutboxPublisherSettings)
    scheduler = OneTimeEventScheduler(
        session.client("scheduler"),
        group_name=settings.kitchen_alert_schedule_group,
        target_arn=settings.kitchen_alert_queue_arn,
        role_arn=settings.kitchen_alert_scheduler_role_arn,
    )
    routes = {
        KITCHEN_DESTINATION: queue_route(SqsCloudEventSender(session.client("sqs"), settings.kitchen_queue_url)),
        ORDER_EVENTS_DESTINATION: publish_route(
            CloudEventPublisher(_order_event_channels(settings, session), destination_name="order-events")
        ),
        KITCHEN_ALERTS_DESTINATION: schedule_route(scheduler),
    }
    return OutboxRelay(session.client("dynamodb"), settings.orders_table_name, routes, logger)


def _order_event_channels(settings: OutboxPublisherSettings, session: Any) -> list[PublishChannel]:
    channels: dict[str, PublishChannel] = {}
    if "sns" in settings.order_event_channels:
        channels["sns"] = SnsChannel(session.client("sns"), settings.order_events_topic_arn)
    if "eventbridge" in settings.order_event_channels:
        channels["eventbridge"] = EventBridgeChannel(
            session.client("events"), settings.order_events_bus_name, EVENTBRIDGE_SOURCE
        )
    return list(channels.values())
