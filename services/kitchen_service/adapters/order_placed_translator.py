"""Anti-corruption layer: an ``order.placed`` CloudEvent → the kitchen's own command."""

from __future__ import annotations

from collections.abc import Collection

from cloudevents.core.base import BaseCloudEvent
from pydantic import BaseModel, ConfigDict, Field

from integration_patterns.cloudevents_envelope import DURABLE_CALLBACK_ID, REPLY_TO, optional_extension
from integration_patterns.consumer import Translation
from integration_patterns.errors import InvalidMessage
from integration_patterns.event_contracts import Identifier, validated_data
from kitchen_service.domain.kitchen_order import Dish, OrderToPrepare
from pizza_contracts import MAX_LINE_NOTES_LENGTH, MAX_ORDER_LINES, ORDER_PLACED_V1, about_order


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore")
    pizza: str = Field(min_length=1, max_length=256)
    quantity: int = Field(ge=1, le=1000)
    notes: str | None = Field(default=None, max_length=MAX_LINE_NOTES_LENGTH)


class _OrderPlacedV1(BaseModel):
    """Only the fields the kitchen uses; anything else in the event is ignored."""

    model_config = ConfigDict(extra="ignore")
    orderId: Identifier  # noqa: N815 - the external schema's spelling
    customerId: Identifier  # noqa: N815
    items: list[_Item] = Field(min_length=1, max_length=MAX_ORDER_LINES)


def translate_order_placed(event: BaseCloudEvent, allowed_reply_to: Collection[str]) -> OrderToPrepare:
    data = validated_data(_OrderPlacedV1, event, "order")
    reply_to = optional_extension(event, REPLY_TO)
    if reply_to is not None and reply_to not in allowed_reply_to:
        raise InvalidMessage("replyto: a queue the kitchen may not reply to")
    return OrderToPrepare(
        order_id=data.orderId,
        customer_id=data.customerId,
        dishes=tuple(Dish(i.pizza, i.quantity, i.notes or None) for i in data.items),
        reply_to=reply_to,
        callback_id=optional_extension(event, DURABLE_CALLBACK_ID),
    )


def order_placed_translation(allowed_reply_to: Collection[str]) -> Translation[OrderToPrepare]:
    """The kitchen's reading of order.placed: replies go only to the queues in ``allowed_reply_to``."""
    return Translation(
        consumer="kitchen",
        accepts=(ORDER_PLACED_V1,),
        translate=lambda event, _type: translate_order_placed(event, allowed_reply_to),
        describe=lambda order: about_order(order.order_id),
    )
