"""Composition root: builds adapters from validated settings, once per cold start."""

from __future__ import annotations

import functools

from integration_patterns.dead_letter import DeadLetterSink
from integration_patterns.runtime import cold_start, utc_now
from integration_patterns.sqs_batch import SqsBatchConsumer
from integration_patterns.sqs_sender import SqsCloudEventSender
from integration_patterns.subscriber import EventSubscriber
from kitchen_service.adapters.delivery_alert_translator import translate_delivery_alert
from kitchen_service.adapters.dynamodb_kitchen_order_repository import DynamoDbKitchenOrderRepository
from kitchen_service.adapters.sqs_acknowledgements import SqsAcknowledgements
from kitchen_service.config import KitchenAlertProcessorSettings, KitchenProcessorSettings
from kitchen_service.delivery_alert_records import alert_span_attributes, handle_delivery_alert
from kitchen_service.domain.delivery_alert import DeliveryAlert
from kitchen_service.order_records import handle_order_record


@functools.cache
def kitchen_processor() -> SqsBatchConsumer:
    settings, logger, session = cold_start(KitchenProcessorSettings)
    sqs = session.client("sqs")
    acknowledgements = SqsAcknowledgements(
        {url: SqsCloudEventSender(sqs, url) for url in settings.allowed_reply_queue_urls}
    )
    handle = functools.partial(
        handle_order_record,
        kitchen_orders=DynamoDbKitchenOrderRepository(session.client("dynamodb"), settings.kitchen_orders_table_name),
        acknowledgements=acknowledgements,
        allowed_reply_to=settings.allowed_reply_queue_urls,
        now=utc_now,
        uncookable_pizza=settings.uncookable_pizza,
    )
    return SqsBatchConsumer(handle, dead_letter=DeadLetterSink(sqs, settings.dead_letter_queue_url), logger=logger)


@functools.cache
def kitchen_alert_processor() -> EventSubscriber[DeliveryAlert]:
    settings, logger, session = cold_start(KitchenAlertProcessorSettings)
    kitchen_orders = DynamoDbKitchenOrderRepository(session.client("dynamodb"), settings.kitchen_orders_table_name)
    # No inbox: raising an alert is itself create-once (a conditional update on the kitchen order).
    return EventSubscriber(
        translate_delivery_alert,
        functools.partial(handle_delivery_alert, kitchen_orders=kitchen_orders, now=utc_now),
        inbox=None,
        dead_letter=DeadLetterSink(session.client("sqs"), settings.dead_letter_queue_url),
        logger=logger,
        span_attributes=alert_span_attributes,
    )
