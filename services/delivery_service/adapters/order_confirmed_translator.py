"""Anti-corruption layer: an ``order.confirmed`` CloudEvent (v1 or v2) → the delivery service's command."""

from __future__ import annotations

from typing import Literal

from cloudevents.core.base import BaseCloudEvent
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from delivery_service.adapters.contracts import SUPPORTED_ORDER_CONFIRMED
from delivery_service.domain.delivery import CollectionOrder, ConfirmedOrder, EncryptedAddress, ScheduleDelivery
from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.errors import InvalidMessage


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
    _require_supported_type(event)
    try:
        data = _OrderConfirmed.model_validate(event.get_data())
    except ValidationError as error:
        raise InvalidMessage(_invalid(event, _problems(error))) from error
    if data.orderType == "collection":
        return CollectionOrder(data.orderId, data.customerId)
    if data.deliveryAddress is None or data.deliveryDueAt is None:
        missing = [name for name in ("deliveryAddress", "deliveryDueAt") if getattr(data, name) is None]
        raise InvalidMessage(_invalid(event, "; ".join(f"{name}: required for a delivery order" for name in missing)))
    address = EncryptedAddress(data.deliveryAddress.ciphertext, data.deliveryAddress.keyId)
    return ScheduleDelivery(data.orderId, data.customerId, address, data.deliveryDueAt)


def _require_supported_type(event: BaseCloudEvent) -> None:
    supported = ", ".join(str(t) for t in SUPPORTED_ORDER_CONFIRMED)
    refusal = (
        f"event {event.get_id()} has type {event.get_type()!r}, which the delivery service does not support"
        f" (supported: {supported})"
    )
    try:
        event_type = EventType.parse(event.get_type())
    except InvalidMessage:
        raise InvalidMessage(refusal) from None
    if event_type not in SUPPORTED_ORDER_CONFIRMED:
        raise InvalidMessage(refusal)


def _invalid(event: BaseCloudEvent, problems: str) -> str:
    return f"event {event.get_id()} is not a valid confirmed order: {problems}"


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'data'}: {e['msg']}" for e in error.errors(include_url=False)
    )
