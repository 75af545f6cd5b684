"""Names the order service alone uses for its messages; the system's event types are in pizza_contracts."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from pydantic.json_schema import JsonDict, SkipJsonSchema

from integration_patterns.claim_check import RestrictedSection
from integration_patterns.event_data import EventData
from order_service.domain.order import OrderItem
from pizza_contracts import DELIVERY_DETAILS_AUDIENCE, MAX_LINE_NOTES_LENGTH, MAX_ORDER_LINES, ORDER_CONFIRMED

EVENT_SOURCE = "/pizza/order-service"
# The outbox relay's routes: where each stored event goes.
KITCHEN_DESTINATION = "kitchen"
ORDER_EVENTS_DESTINATION = "order-events"
KITCHEN_ALERTS_DESTINATION = "kitchen-alerts"
WEBHOOKS_DESTINATION = "webhooks"

# What travels only as a claim check one audience may redeem: order.confirmed's delivery details
# (already encrypted for the delivery service) reach no other subscriber, not even as ciphertext.
ORDER_EVENT_CLAIMS = {
    ORDER_CONFIRMED: RestrictedSection(audience=DELIVERY_DETAILS_AUDIENCE, fields=("deliveryAddress",)),
}


def _no_default(schema: JsonDict) -> None:
    # A line without notes leaves the field out; it is never sent as null.
    schema.pop("default", None)


class OrderLine(EventData):
    """One line of an order: a pizza, how many, and how to make it."""

    pizza: str = Field(min_length=1, description="The pizza's name, spelled exactly as on the menu.")
    quantity: int = Field(ge=1, description="How many of this pizza the line asks for.")
    notes: Annotated[str, Field(min_length=1, max_length=MAX_LINE_NOTES_LENGTH)] | SkipJsonSchema[None] = Field(
        default=None,
        exclude_if=lambda notes: notes is None,
        json_schema_extra=_no_default,
        description=(
            "The customer's words for the kitchen: how to make it, or whom it is for "
            '("no basil, label: Team A"). Absent when the line has none.'
        ),
    )

    @classmethod
    def of(cls, item: OrderItem) -> OrderLine:
        return cls(pizza=item.pizza, quantity=item.quantity, notes=item.notes or None)


# The order's lines, as the order API took them: one at least, a catering order's at most.
OrderLines = Annotated[list[OrderLine], Field(min_length=1, max_length=MAX_ORDER_LINES)]


def item_view(item: OrderItem) -> dict[str, object]:
    """An order line as the API and the order's events show it (notes only when there are some)."""
    return OrderLine.of(item).to_data()
