"""Anti-corruption layer: an ``order.placed`` CloudEvent → the kitchen's own command."""

from __future__ import annotations

from collections.abc import Collection

from cloudevents.core.base import BaseCloudEvent
from pydantic import BaseModel, ConfigDict, Field

from integration_patterns.cloudevents_envelope import REPLY_TO, EventType, optional_extension
from integration_patterns.errors import InvalidMessage
from integration_patterns.event_contracts import validated_data
from kitchen_service.adapters.contracts import ORDER_PLACED_V1
from kitchen_service.domain.kitchen_order import Dish, OrderToPrepare


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore")
    pizza: str = Field(min_length=1)
    quantity: int = Field(ge=1)


class _OrderPlacedV1(BaseModel):
    """Only the fields the kitchen uses; anything else in the event is ignored."""

    model_config = ConfigDict(extra="ignore")
    orderId: str = Field(min_length=1)  # noqa: N815 - the external schema's spelling
    customerId: str = Field(min_length=1)  # noqa: N815
    items: list[_Item] = Field(min_length=1)


def translate_order_placed(event: BaseCloudEvent, allowed_reply_to: Collection[str]) -> OrderToPrepare:
    event_type = EventType.parse(event.get_type())
    if event_type != ORDER_PLACED_V1:
        raise InvalidMessage(f"unsupported event type {event.get_type()!r}; the kitchen takes {ORDER_PLACED_V1}")
    data = validated_data(_OrderPlacedV1, event, "order")
    reply_to = optional_extension(event, REPLY_TO)
    if reply_to is not None and reply_to not in allowed_reply_to:
        raise InvalidMessage(f"event {event.get_id()} asks for a reply to a queue the kitchen may not use")
    return OrderToPrepare(
        order_id=data.orderId,
        customer_id=data.customerId,
        dishes=tuple(Dish(i.pizza, i.quantity) for i in data.items),
        reply_to=reply_to,
    )
