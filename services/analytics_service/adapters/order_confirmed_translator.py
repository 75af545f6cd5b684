"""Anti-corruption layer: an ``order.confirmed`` CloudEvent (v1 or v2) → the analytics service's command."""

from __future__ import annotations

from cloudevents.core.base import BaseCloudEvent
from pydantic import BaseModel, ConfigDict, Field

from analytics_service.adapters.contracts import SUPPORTED_ORDER_CONFIRMED
from analytics_service.domain.pizza_counts import CountOrder, OrderLine
from integration_patterns.event_contracts import supported_type, validated_data


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore")
    pizza: str = Field(min_length=1)
    quantity: int = Field(ge=1)


class _OrderConfirmed(BaseModel):
    """The fields analytics reads, which v1 and v2 spell alike; anything else is ignored."""

    model_config = ConfigDict(extra="ignore")
    orderId: str = Field(min_length=1)  # noqa: N815 - the external schema's spelling
    # Not counted, but required: an event every other subscriber refuses must not be counted here
    # alone, or the statistics would include orders the business never fulfilled.
    customerId: str = Field(min_length=1)  # noqa: N815
    items: list[_Item] = Field(min_length=1)


def translate_order_confirmed(event: BaseCloudEvent) -> CountOrder:
    supported_type(event, SUPPORTED_ORDER_CONFIRMED, "analytics service")
    data = validated_data(_OrderConfirmed, event, "confirmed order")
    return CountOrder(data.orderId, tuple(OrderLine(i.pizza, i.quantity) for i in data.items))
