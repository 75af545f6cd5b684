"""The events the order service publishes: every version it may send, with the model of its data.

The event catalog (``pizza catalog``) documents each model's JSON schema, and the builders make
each event's data through the same model, so the catalog describes what is sent. Not imported by
the functions' entry points: they reach the models through the builders.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from integration_patterns.cloudevents_envelope import EventType
from order_service.adapters.delivery_due_soon_event import DeliveryDueSoonV1
from order_service.adapters.order_confirmed_event import OrderConfirmedV1, OrderConfirmedV2
from order_service.adapters.order_placed_event import OrderPlacedV1
from order_service.adapters.status_change_messages import OrderStatusChangedV1
from pizza_contracts import (
    DELIVERY_DUE_SOON_V1,
    ORDER_CONFIRMED_V1,
    ORDER_CONFIRMED_V2,
    ORDER_PLACED_V1,
    ORDER_STATUS_CHANGED_V1,
)

PUBLISHED_EVENTS: Mapping[EventType, type[BaseModel]] = {
    ORDER_PLACED_V1: OrderPlacedV1,
    ORDER_CONFIRMED_V1: OrderConfirmedV1,
    ORDER_CONFIRMED_V2: OrderConfirmedV2,
    DELIVERY_DUE_SOON_V1: DeliveryDueSoonV1,
    ORDER_STATUS_CHANGED_V1: OrderStatusChangedV1,
}
