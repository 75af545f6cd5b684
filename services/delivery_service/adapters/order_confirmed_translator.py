"""Anti-corruption layer: an ``order.confirmed`` CloudEvent (v1 or v2) → the delivery service's command."""

from __future__ import annotations

from typing import Literal

from cloudevents.core.base import BaseCloudEvent
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from delivery_service.adapters.contracts import SUPPORTED_ORDER_CONFIRMED
from delivery_service.domain.delivery import CollectionOrder, ConfirmedOrder, EncryptedAddress, ScheduleDelivery
from integration_patterns.errors import InvalidMessage
from integration_patterns.event_contracts import supported_type, validated_data


class _EncryptedAddress(BaseModel):
    model_config = ConfigDict(extra="ignore")
    ciphertext: str = Field(min_length=1)
    keyId: str = Field(min_length=1)  # noqa: N815 - the external schema's spelling


class _OrderConfirmed(BaseModel):
    """The fields delivery reads, which v1 and v2 spell alike; anything else is ignored."""

    model_config = ConfigDict(extra="ignore")
    orderId: str = Field(min_length=1)  # noqa: N815
    customerId: str = Field(min_length=1)  # noqa: N815
    orderType: Literal["delivery", "collection"]  # noqa: N815
    deliveryDueAt: AwareDatetime | None = None  # noqa: N815
    deliveryAddress: _EncryptedAddress | None = None  # noqa: N815


def translate_order_confirmed(event: BaseCloudEvent) -> ConfirmedOrder:
    supported_type(event, SUPPORTED_ORDER_CONFIRMED, "delivery service")
    data = validated_data(_OrderConfirmed, event, "confirmed order")
    if data.orderType == "collection":
        return CollectionOrder(data.orderId, data.customerId)
    if data.deliveryAddress is None or data.deliveryDueAt is None:
        missing = [name for name in ("deliveryAddress", "deliveryDueAt") if getattr(data, name) is None]
        problems = "; ".join(f"{name}: required for a delivery order" for name in missing)
        raise InvalidMessage(f"event {event.get_id()} is not a valid confirmed order: {problems}")
    address = EncryptedAddress(data.deliveryAddress.ciphertext, data.deliveryAddress.keyId)
    return ScheduleDelivery(data.orderId, data.customerId, address, data.deliveryDueAt)
