"""The analytics processor: settings, adapters built once per cold start, and its entry point."""

from __future__ import annotations

from analytics_service.domain import CountOrder
from analytics_service.dynamodb_pizza_counts import DynamoDbPizzaCounts
from analytics_service.order_confirmed_translator import ORDER_CONFIRMED_TRANSLATION
from analytics_service.use_cases import count_order
from integration_patterns.consumer import SpanFacts
from integration_patterns.consumer_runtime import InboxSettings, inboxed_consumer
from integration_patterns.runtime import Entrypoint, Runtime, lambda_handler


class AnalyticsSettings(InboxSettings):
    pizza_counts_table_name: str
    counted_orders_table_name: str


def wire(runtime: Runtime[AnalyticsSettings]) -> Entrypoint:
    settings = runtime.settings
    counts = DynamoDbPizzaCounts(
        runtime.client("dynamodb"), settings.pizza_counts_table_name, settings.counted_orders_table_name
    )

    def count(command: CountOrder) -> SpanFacts:
        result = count_order(command, counts)
        # already_counted is a success: another event about the same order got there first.
        return {"analytics.distinct_pizzas": len(result.order.pizzas), "analytics.count_outcome": result.outcome.value}

    return inboxed_consumer(runtime, ORDER_CONFIRMED_TRANSLATION, count).process


handler = lambda_handler(AnalyticsSettings, wire)
