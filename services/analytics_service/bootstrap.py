"""Composition root: builds adapters from validated settings, once per cold start."""

from __future__ import annotations

import functools

import boto3

from analytics_service.adapters.dynamodb_pizza_counts import DynamoDbPizzaCounts
from analytics_service.adapters.order_confirmed_translator import translate_order_confirmed
from analytics_service.config import AnalyticsSettings
from analytics_service.confirmed_orders import handle_confirmed_order, span_attributes
from analytics_service.domain.pizza_counts import CountOrder
from integration_patterns.dead_letter import DeadLetterSink
from integration_patterns.inbox import Inbox
from integration_patterns.runtime import start_observability
from integration_patterns.settings import load_settings
from integration_patterns.subscriber import EventSubscriber


@functools.cache
def order_events_processor() -> EventSubscriber[CountOrder]:
    settings = load_settings(AnalyticsSettings)
    logger = start_observability(settings)
    session = boto3.session.Session()
    dynamodb = session.client("dynamodb")
    # The counters are not idempotent: the inbox is what makes each order count once.
    handle = functools.partial(
        handle_confirmed_order, counts=DynamoDbPizzaCounts(dynamodb, settings.pizza_counts_table_name)
    )
    return EventSubscriber(
        translate_order_confirmed,
        handle,
        inbox=Inbox(dynamodb, settings.inbox_table_name, settings.inbox_ttl_seconds),
        dead_letter=DeadLetterSink(session.client("sqs"), settings.dead_letter_queue_url),
        logger=logger,
        span_attributes=span_attributes,
    )
