"""``order.delivery.due-soon``: the kitchen alert a one-time schedule delivers at the set time."""

from __future__ import annotations

from typing import Annotated

from cloudevents.core.v1.event import CloudEvent
from pydantic import Field

from integration_patterns.cloudevents_envelope import new_event
from integration_patterns.event_data import EventData, IsoDateTime
from order_service.adapters.contracts import EVENT_SOURCE
from order_service.domain.order import Order, OrderItem
from pizza_contracts import DELIVERY_DUE_SOON_V1, MAX_ORDER_LINES


class PizzasToMake(EventData):
    """One line of the order: which pizza, and how many."""

    pizza: str = Field(min_length=1, description="The pizza's name, spelled exactly as on the menu.")
    quantity: int = Field(ge=1, description="How many of this pizza.")

    @classmethod
    def of(cls, item: OrderItem) -> PizzasToMake:
        return cls(pizza=item.pizza, quantity=item.quantity)


class DeliveryDueSoonV1(EventData):
    """A delivery order is due at the customer soon: the kitchen should have it ready.

    A passage-of-time event: stored when the order is confirmed, and delivered to the kitchen's
    alerts queue by a one-time schedule (one per order, named after it) at the alert time, a set
    lead time before the order is due. Only a delivery order with a due time has one.
    """

    order_id: str = Field(min_length=1, description="The order's id (a UUID the order API assigned).")
    due_at: IsoDateTime = Field(description="When the order is due at the customer (ISO 8601, with its offset).")
    items: Annotated[list[PizzasToMake], Field(min_length=1, max_length=MAX_ORDER_LINES)] = Field(
        description="What the order holds, without the lines' notes (the kitchen has those from order.placed)."
    )


def alert_schedule_name(order_id: str) -> str:
    """One schedule per order: scheduling it again is refused by name, so the kitchen hears once."""
    return f"kitchen-alert-{order_id}"


def delivery_due_soon_event(order: Order) -> CloudEvent:
    if order.delivery_due_at is None:
        raise ValueError("delivery.due-soon is for an order with a due time: this one has none")
    data = DeliveryDueSoonV1(
        order_id=order.order_id,
        due_at=order.delivery_due_at,
        items=[PizzasToMake.of(item) for item in order.items],
    )
    return new_event(DELIVERY_DUE_SOON_V1, EVENT_SOURCE, data.to_data(), subject=order.order_id)
