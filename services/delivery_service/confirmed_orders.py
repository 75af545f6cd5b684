"""One confirmed order, already translated: run the use case and note its outcome on the span.

Nothing about the address goes on spans or into logs: it is personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from opentelemetry import trace
from opentelemetry.util.types import AttributeValue

from delivery_service.adapters.contracts import ORDER_ID_SPAN_ATTRIBUTE
from delivery_service.domain.delivery import ConfirmedOrder
from delivery_service.ports import AddressDecryptor, Deliveries
from delivery_service.use_cases import schedule_delivery


def span_attributes(order: ConfirmedOrder) -> Mapping[str, AttributeValue]:
    return {ORDER_ID_SPAN_ATTRIBUTE: order.order_id}


def handle_confirmed_order(
    order: ConfirmedOrder,
    *,
    decryptor: AddressDecryptor,
    deliveries: Deliveries,
    now: Callable[[], datetime],
) -> None:
    outcome = schedule_delivery(order, decryptor, deliveries, now)
    trace.get_current_span().set_attribute("delivery.outcome", outcome.value)
