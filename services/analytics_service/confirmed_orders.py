"""One confirmed order, already translated: run the use case and note its outcome on the span."""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

from analytics_service.adapters.contracts import ORDER_ID_SPAN_ATTRIBUTE
from analytics_service.domain.pizza_counts import CountOrder
from analytics_service.ports import PizzaCounts
from analytics_service.use_cases import count_order


def span_attributes(command: CountOrder) -> Mapping[str, AttributeValue]:
    return {ORDER_ID_SPAN_ATTRIBUTE: command.order_id}


def handle_confirmed_order(command: CountOrder, *, counts: PizzaCounts) -> None:
    result = count_order(command, counts)
    span = trace.get_current_span()
    span.set_attribute("analytics.distinct_pizzas", len(result.order.pizzas))
    # already_counted is a success: another event about the same order got there first.
    span.set_attribute("analytics.count_outcome", result.outcome.value)
