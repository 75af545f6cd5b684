"""Composition root: builds adapters from validated settings, once per cold start."""

from __future__ import annotations

import functools

import boto3

from analytics_service.adapters.dynamodb_pizza_counts import DynamoDbPizzaCounts
from analytics_service.adapters.order_confirmed_translator import translate_order_confirmed
from analytics_service.config import AnalyticsSettings
from analytics_service.confirmed_orders import handle_confirmed_order, span_attributes
from analytics_service.domain.pizza_counts import CountOrder
from integration_patterns.runtime import start_observability
from integration_patterns.settings import load_settings
from integration_patterns.subscriber import EventSubscriber
from integration_patterns.subscriber_runtime import inboxed_subscriber


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
    return inboxed_subscriber(
        settings,
        dynamodb_client=dynamodb,
        sqs_client=session.client("sqs"),
        logger=logger,
        translate=translate_order_confirmed,
        handle=handle,
        span_attributes=span_attributes,
    )
