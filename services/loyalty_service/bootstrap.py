"""Composition root: builds adapters from validated settings, once per cold start."""

from __future__ import annotations

import functools
from collections.abc import Callable

from integration_patterns.runtime import utc_now
from integration_patterns.subscriber import EventSubscriber
from integration_patterns.subscriber_runtime import SubscriberClients, inboxed_subscriber
from loyalty_service.adapters.dynamodb_loyalty_accounts import DynamoDbLoyaltyAccounts
from loyalty_service.adapters.order_confirmed_translator import translate_order_confirmed
from loyalty_service.config import LoyaltySettings
from loyalty_service.confirmed_orders import handle_confirmed_order, span_attributes
from loyalty_service.domain.points import AwardPoints


@functools.cache
def order_events_processor() -> EventSubscriber[AwardPoints]:
    return inboxed_subscriber(
        LoyaltySettings,
        translate=translate_order_confirmed,
        wire_handler=_handler,
        span_attributes=span_attributes,
    )


def _handler(settings: LoyaltySettings, clients: SubscriberClients) -> Callable[[AwardPoints], None]:
    return functools.partial(
        handle_confirmed_order,
        accounts=DynamoDbLoyaltyAccounts(clients.dynamodb, settings.loyalty_accounts_table_name),
        now=utc_now,
    )
