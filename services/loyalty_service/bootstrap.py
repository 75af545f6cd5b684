"""Composition root: builds adapters from validated settings, once per cold start."""

from __future__ import annotations

import functools

import boto3

from integration_patterns.runtime import start_observability, utc_now
from integration_patterns.settings import load_settings
from integration_patterns.subscriber import EventSubscriber
from integration_patterns.subscriber_runtime import inboxed_subscriber
from loyalty_service.adapters.dynamodb_loyalty_accounts import DynamoDbLoyaltyAccounts
from loyalty_service.adapters.order_confirmed_translator import translate_order_confirmed
from loyalty_service.config import LoyaltySettings
from loyalty_service.confirmed_orders import handle_confirmed_order, span_attributes
from loyalty_service.domain.points import AwardPoints


@functools.cache
def order_events_processor() -> EventSubscriber[AwardPoints]:
    settings = load_settings(LoyaltySettings)
    logger = start_observability(settings)
    session = boto3.session.Session()
    dynamodb = session.client("dynamodb")
    handle = functools.partial(
        handle_confirmed_order,
        accounts=DynamoDbLoyaltyAccounts(dynamodb, settings.loyalty_accounts_table_name),
        now=utc_now,
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
