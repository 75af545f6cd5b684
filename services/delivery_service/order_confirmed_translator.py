"""Anti-corruption layer: an ``order.confirmed`` CloudEvent (v1 or v2) → the delivery service's command."""

from __future__ import annotations

from typing import Literal

from cloudevents.core.base import BaseCloudEvent
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from delivery_service.domain import CollectionOrder, ConfirmedOrder, EncryptedAddress, ScheduleDelivery
from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.consumer import Translation
from integration_patterns.errors import InvalidMessage
from integration_patterns.event_contracts import Identifier, validated_data
from pizza_contracts import ORDER_CONFIRMED_VERSIONS, about_order


class _EncryptedAddress(BaseModel):
    model_config = ConfigDict(extra="ignore")
    # A KMS ciphertext is at most 6 KiB (8,192 characters in base64).
    ciphertext: str = Field(min_length=1, max_length=8192)
    keyId: str = Field(min_length=1, max_length=2048)  # noqa: N815 - the external schema's spelling


class _OrderConfirmed(BaseModel):
    """The fields delivery reads, which v1 and v2 spell alike; anything else is ignored."""

    model_config = ConfigDict(extra="ignore")
    orderId: Identifier  # noqa: N815
    customerId: Identifier  # noqa: N815
    orderType: Literal["delivery", "collection"]  # noqa: N815
    deliveryDueAt: AwareDatetime | None = None  # noqa: N815
    deliveryAddress: _EncryptedAddress | None = None  # noqa: N815


def translate_order_confirmed(event: BaseCloudEvent, event_type: EventType) -> ConfirmedOrder:
    data = validated_data(_OrderConfirmed, event, "confirmed order")
    if data.orderType == "collection":
        return CollectionOrder(data.orderId, data.customerId)
    if data.deliveryAddress is None or data.deliveryDueAt is None:
        missing = [name for name in ("deliveryAddress", "deliveryDueAt") if getattr(data, name) is None]
        problems = "; ".join(f"{name}: required for a delivery order" for name in missing)
        raise InvalidMessage(f"data is not a valid confirmed order: {problems}")
    address = EncryptedAddress(data.deliveryAddress.ciphertext, data.deliveryAddress.keyId)
    return ScheduleDelivery(data.orderId, data.customerId, address, data.deliveryDueAt)


ORDER_CONFIRMED_TRANSLATION = Translation(
    consumer="delivery service",
    accepts=ORDER_CONFIRMED_VERSIONS,
    translate=translate_order_confirmed,
    describe=lambda order: about_order(order.order_id),
)
