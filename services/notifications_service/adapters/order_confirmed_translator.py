"""Anti-corruption layer: an ``order.confirmed`` CloudEvent (v1 or v2) → the notifications service's command."""

from __future__ import annotations

from cloudevents.core.base import BaseCloudEvent
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from integration_patterns.event_contracts import supported_type, validated_data
from notifications_service.adapters.contracts import SUPPORTED_ORDER_CONFIRMED
from notifications_service.domain.notification import NotifyCustomer, OrderType


class _OrderConfirmed(BaseModel):
    """The fields notifications reads, which v1 and v2 spell alike; anything else is ignored.

    A delivery order without a due time is still worth confirming to the customer: the
    message then leaves the time out (the delivery service is the one that refuses it).
    """

    model_config = ConfigDict(extra="ignore")
    orderId: str = Field(min_length=1)  # noqa: N815 - the external schema's spelling
    customerId: str = Field(min_length=1)  # noqa: N815
    orderType: OrderType  # noqa: N815
    deliveryDueAt: AwareDatetime | None = None  # noqa: N815


def translate_order_confirmed(event: BaseCloudEvent) -> NotifyCustomer:
    supported_type(event, SUPPORTED_ORDER_CONFIRMED, "notifications service")
    data = validated_data(_OrderConfirmed, event, "confirmed order")
    return NotifyCustomer(data.orderId, data.customerId, data.orderType, data.deliveryDueAt)
