"""Anti-corruption layer: an ``order.confirmed`` CloudEvent (v1 or v2) → the notifications service's command."""

from __future__ import annotations

from cloudevents.core.base import BaseCloudEvent
from pydantic import AwareDatetime, BaseModel, ConfigDict

from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.consumer import Translation
from integration_patterns.event_contracts import Identifier, validated_data
from notifications_service.domain import NotifyCustomer, OrderType
from pizza_contracts import ORDER_CONFIRMED_VERSIONS, about_order


class _OrderConfirmed(BaseModel):
    """The fields notifications reads, which v1 and v2 spell alike; anything else is ignored.

    A delivery order without a due time is still worth confirming to the customer: the
    message then leaves the time out (the delivery service is the one that refuses it).
    """

    model_config = ConfigDict(extra="ignore")
    orderId: Identifier  # noqa: N815 - the external schema's spelling
    customerId: Identifier  # noqa: N815
    orderType: OrderType  # noqa: N815
    deliveryDueAt: AwareDatetime | None = None  # noqa: N815


def translate_order_confirmed(event: BaseCloudEvent, event_type: EventType) -> NotifyCustomer:
    data = validated_data(_OrderConfirmed, event, "confirmed order")
    return NotifyCustomer(data.orderId, data.customerId, data.orderType, data.deliveryDueAt)


ORDER_CONFIRMED_TRANSLATION = Translation(
    consumer="notifications service",
    accepts=ORDER_CONFIRMED_VERSIONS,
    translate=translate_order_confirmed,
    describe=lambda command: about_order(command.order_id),
)
