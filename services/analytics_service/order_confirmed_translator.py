"""Anti-corruption layer: an ``order.confirmed`` CloudEvent (v1 or v2) → the analytics service's command."""

from __future__ import annotations

from cloudevents.core.base import BaseCloudEvent
from pydantic import BaseModel, ConfigDict, Field, field_validator

from analytics_service.domain import CountOrder, OrderLine
from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.consumer import Translation
from integration_patterns.event_contracts import Identifier, validated_data
from pizza_contracts import MAX_ORDER_LINES, ORDER_CONFIRMED_VERSIONS, about_order


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore")
    # The pizza name is the counters' key; a count of more than a thousand is no real order line.
    pizza: Identifier
    quantity: int = Field(ge=1, le=1000)


class _OrderConfirmed(BaseModel):
    """The fields analytics reads, which v1 and v2 spell alike; anything else is ignored."""

    model_config = ConfigDict(extra="ignore")
    orderId: Identifier  # noqa: N815 - the external schema's spelling
    # Not counted, but required: an event every other subscriber refuses must not be counted here
    # alone, or the statistics would include orders the business never fulfilled.
    customerId: Identifier  # noqa: N815
    items: list[_Item] = Field(min_length=1, max_length=MAX_ORDER_LINES)

    @field_validator("items")
    @classmethod
    def _few_enough_pizzas(cls, items: list[_Item]) -> list[_Item]:
        # Each distinct pizza is a counter in the one transaction that counts the order (100 actions).
        if len({item.pizza for item in items}) > 99:
            raise ValueError("at most 99 distinct pizzas")
        return items


def translate_order_confirmed(event: BaseCloudEvent, event_type: EventType) -> CountOrder:
    data = validated_data(_OrderConfirmed, event, "confirmed order")
    return CountOrder(data.orderId, tuple(OrderLine(i.pizza, i.quantity) for i in data.items))


ORDER_CONFIRMED_TRANSLATION = Translation(
    consumer="analytics service",
    accepts=ORDER_CONFIRMED_VERSIONS,
    translate=translate_order_confirmed,
    describe=lambda command: about_order(command.order_id),
)
