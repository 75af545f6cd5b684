"""Composition root: builds adapters from validated settings, once per cold start."""

from __future__ import annotations

import functools
from collections.abc import Callable

from analytics_service.adapters.dynamodb_pizza_counts import DynamoDbPizzaCounts
from analytics_service.adapters.order_confirmed_translator import translate_order_confirmed
from analytics_service.config import AnalyticsSettings
from analytics_service.confirmed_orders import handle_confirmed_order, span_attributes
from analytics_service.domain.pizza_counts import CountOrder
from integration_patterns.subscriber import EventSubscriber
from integration_patterns.subscriber_runtime import SubscriberClients, inboxed_subscriber


@functools.cache
def order_events_processor() -> EventSubscriber[CountOrder]:
    return inboxed_subscriber(
        AnalyticsSettings,
        translate=translate_order_confirmed,
        wire_handler=_handler,
        span_attributes=span_attributes,
    )


def _handler(settings: AnalyticsSettings, clients: SubscriberClients) -> Callable[[CountOrder], None]:
    counts = DynamoDbPizzaCounts(clients.dynamodb, settings.pizza_counts_table_name, settings.counted_orders_table_name)
    return functools.partial(handle_confirmed_order, counts=counts)
