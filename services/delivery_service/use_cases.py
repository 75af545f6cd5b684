"""The delivery use cases: pure functions over ports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from delivery_service.domain import CollectionOrder, ConfirmedOrder, DeliveryOutcome, schedule
from delivery_service.ports import AddressDecryptor, Deliveries


def schedule_delivery(
    order: ConfirmedOrder,
    decryptor: AddressDecryptor,
    deliveries: Deliveries,
    now: Callable[[], datetime],
) -> DeliveryOutcome:
    """Record a delivery, once per order, for a delivery order; a collection order needs nothing."""
    if isinstance(order, CollectionOrder):
        return DeliveryOutcome.NOT_FOR_DELIVERY
    address = decryptor.decrypt(order.address, order.order_id)
    created = deliveries.add_if_absent(schedule(order, address, now()))
    return DeliveryOutcome.SCHEDULED if created else DeliveryOutcome.ALREADY_SCHEDULED
