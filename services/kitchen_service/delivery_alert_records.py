"""One delivery alert: run the use case, naming the order on the span."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from opentelemetry import trace

from integration_patterns.errors import InvalidMessage
from kitchen_service.adapters.contracts import ORDER_ID_SPAN_ATTRIBUTE
from kitchen_service.domain.delivery_alert import AlertForUnknownOrder, DeliveryAlert
from kitchen_service.ports import KitchenOrderRepository
from kitchen_service.use_cases import raise_delivery_alert


def handle_delivery_alert(
    alert: DeliveryAlert, *, kitchen_orders: KitchenOrderRepository, now: Callable[[], datetime]
) -> None:
    try:
        outcome = raise_delivery_alert(alert, kitchen_orders, now)
    except AlertForUnknownOrder as error:
        raise InvalidMessage(str(error)) from error
    trace.get_current_span().set_attribute("kitchen.alert.outcome", outcome.value)


def alert_span_attributes(alert: DeliveryAlert) -> dict[str, str]:
    return {ORDER_ID_SPAN_ATTRIBUTE: alert.order_id}
