"""The kitchen's two functions: settings, adapters built once per cold start, and entry points."""

from __future__ import annotations

from pydantic import field_validator

from integration_patterns.consumer import SpanFacts, TraceMode
from integration_patterns.consumer_runtime import ConsumerSettings, consumer
from integration_patterns.durable_functions import DurableCallbacks
from integration_patterns.runtime import Entrypoint, Runtime, lambda_handler, utc_now
from integration_patterns.sqs_sender import SqsCloudEventSender
from kitchen_service.adapters.delivery_alert_translator import DELIVERY_ALERT_TRANSLATION
from kitchen_service.adapters.dynamodb_kitchen_order_repository import DynamoDbKitchenOrderRepository
from kitchen_service.adapters.kitchen_replies import KitchenReplies
from kitchen_service.adapters.order_placed_translator import order_placed_translation
from kitchen_service.domain.delivery_alert import AlertForUnknownOrder, DeliveryAlert
from kitchen_service.domain.kitchen_order import OrderToPrepare
from kitchen_service.use_cases import accept_order, raise_delivery_alert


class KitchenProcessorSettings(ConsumerSettings):
    kitchen_orders_table_name: str
    allowed_reply_queue_urls: frozenset[str] = frozenset()
    # Demo fault: the kitchen cannot make this pizza (a saga is refused; the choreography's
    # message is retried, then dead-lettered).
    uncookable_pizza: str | None = None

    @field_validator("uncookable_pizza", mode="before")
    @classmethod
    def _empty_switches_the_fault_off(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("allowed_reply_queue_urls", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(url.strip() for url in value.split(",") if url.strip())
        return value


class KitchenAlertSettings(ConsumerSettings):
    kitchen_orders_table_name: str


def wire_orders(runtime: Runtime[KitchenProcessorSettings]) -> Entrypoint:
    settings = runtime.settings
    kitchen_orders = DynamoDbKitchenOrderRepository(runtime.client("dynamodb"), settings.kitchen_orders_table_name)
    senders = {url: SqsCloudEventSender(runtime.client("sqs"), url) for url in settings.allowed_reply_queue_urls}
    acknowledgements = KitchenReplies(senders, DurableCallbacks(runtime.client("lambda")))

    def accept(order: OrderToPrepare) -> SpanFacts:
        outcome = accept_order(order, kitchen_orders, acknowledgements, utc_now, settings.uncookable_pizza)
        return {"kitchen.order.duplicate": not outcome.created, "kitchen.order.refused": outcome.refused}

    translation = order_placed_translation(settings.allowed_reply_queue_urls)
    # Point-to-point: the kitchen's work is part of the order's own trace.
    return consumer(runtime, translation, accept, trace_mode=TraceMode.CONTINUE).process


def wire_alerts(runtime: Runtime[KitchenAlertSettings]) -> Entrypoint:
    kitchen_orders = DynamoDbKitchenOrderRepository(
        runtime.client("dynamodb"), runtime.settings.kitchen_orders_table_name
    )

    def raise_alert(alert: DeliveryAlert) -> SpanFacts:
        return {"kitchen.alert.outcome": raise_delivery_alert(alert, kitchen_orders, utc_now).value}

    # No inbox: raising an alert is itself create-once (a conditional update on the kitchen order).
    # A schedule fires long after the order's request ended: a new trace, linked to the scheduling.
    return consumer(
        runtime, DELIVERY_ALERT_TRANSLATION, raise_alert, trace_mode=TraceMode.LINK, rejects=(AlertForUnknownOrder,)
    ).process


order_handler = lambda_handler(KitchenProcessorSettings, wire_orders)
alert_handler = lambda_handler(KitchenAlertSettings, wire_alerts)
