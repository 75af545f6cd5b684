"""Anti-corruption layer: an ``order.confirmed`` CloudEvent (v1 or v2) → the loyalty service's command."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from cloudevents.core.base import BaseCloudEvent
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.errors import InvalidMessage
from loyalty_service.adapters.contracts import ORDER_CONFIRMED_V1, SUPPORTED_ORDER_CONFIRMED
from loyalty_service.domain.points import AwardPoints, SalesChannel

# Only the fields loyalty uses are declared; anything else in the event is ignored (tolerant reader).


class _OrderConfirmedV1(BaseModel):
    model_config = ConfigDict(extra="ignore")
    orderId: str = Field(min_length=1)  # noqa: N815 - the external schema's spelling
    customerId: str = Field(min_length=1)  # noqa: N815
    # v1 sends euros as a JSON number; strict, so a string or a boolean is refused rather than guessed.
    amount: float = Field(ge=0, strict=True, allow_inf_nan=False)


class _Money(BaseModel):
    model_config = ConfigDict(extra="ignore")
    # Points are per euro: another currency would need a rate the scheme does not define.
    currency: Literal["EUR"]
    value: str = Field(pattern=r"^[0-9]+(\.[0-9]+)?$")


class _OrderConfirmedV2(BaseModel):
    model_config = ConfigDict(extra="ignore")
    orderId: str = Field(min_length=1)  # noqa: N815
    customerId: str = Field(min_length=1)  # noqa: N815
    amount: _Money
    salesChannel: SalesChannel  # noqa: N815


def translate_order_confirmed(event: BaseCloudEvent) -> AwardPoints:
    event_type = _supported_type(event)
    try:
        if event_type == ORDER_CONFIRMED_V1:
            v1 = _OrderConfirmedV1.model_validate(event.get_data())
            # str() first: the float's shortest repr (23.5), not its binary expansion.
            return AwardPoints(v1.orderId, v1.customerId, Decimal(str(v1.amount)), sales_channel=None)
        v2 = _OrderConfirmedV2.model_validate(event.get_data())
        return AwardPoints(v2.orderId, v2.customerId, Decimal(v2.amount.value), sales_channel=v2.salesChannel)
    except ValidationError as error:
        raise InvalidMessage(f"event {event.get_id()} is not a valid confirmed order: {_problems(error)}") from error


def _supported_type(event: BaseCloudEvent) -> EventType:
    supported = ", ".join(str(t) for t in SUPPORTED_ORDER_CONFIRMED)
    refusal = (
        f"event {event.get_id()} has type {event.get_type()!r}, which the loyalty service does not support"
        f" (supported: {supported})"
    )
    try:
        event_type = EventType.parse(event.get_type())
    except InvalidMessage:
        raise InvalidMessage(refusal) from None
    if event_type not in SUPPORTED_ORDER_CONFIRMED:
        raise InvalidMessage(refusal)
    return event_type


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'data'}: {e['msg']}" for e in error.errors(include_url=False)
    )
