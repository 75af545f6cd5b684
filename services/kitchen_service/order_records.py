"""One order message: translate it, then run the use case."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from opentelemetry import trace

from integration_patterns.cloudevents_envelope import from_json
from kitchen_service.adapters.contracts import ORDER_ID_SPAN_ATTRIBUTE
from kitchen_service.adapters.order_placed_translator import translate_order_placed
from kitchen_service.ports import Acknowledgements, KitchenOrderRepository
from kitchen_service.use_cases import accept_order


def handle_order_record(
    record: SQSRecord,
    *,
    kitchen_orders: KitchenOrderRepository,
    acknowledgements: Acknowledgements,
    allowed_reply_to: Collection[str],
    now: Callable[[], datetime],
    uncookable_pizza: str | None,
) -> None:
    order = translate_order_placed(from_json(record.body or ""), allowed_reply_to)
    span = trace.get_current_span()
    span.set_attribute(ORDER_ID_SPAN_ATTRIBUTE, order.order_id)
    outcome = accept_order(order, kitchen_orders, acknowledgements, now, uncookable_pizza)
    span.set_attribute("kitchen.order.duplicate", not outcome.created)
