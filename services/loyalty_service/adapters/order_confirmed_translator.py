"""Anti-corruption layer: an ``order.confirmed`` CloudEvent (v1 or v2) → the loyalty service's command."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from cloudevents.core.base import BaseCloudEvent
from pydantic import BaseModel, ConfigDict, Field

from integration_patterns.event_contracts import supported_type, validated_data
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
    event_type = supported_type(event, SUPPORTED_ORDER_CONFIRMED, "loyalty service")
    if event_type == ORDER_CONFIRMED_V1:
        v1 = validated_data(_OrderConfirmedV1, event, "confirmed order")
        # str() first: the float's shortest repr (23.5), not its binary expansion.
        return AwardPoints(v1.orderId, v1.customerId, Decimal(str(v1.amount)), sales_channel=None)
    v2 = validated_data(_OrderConfirmedV2, event, "confirmed order")
    return AwardPoints(v2.orderId, v2.customerId, Decimal(v2.amount.value), sales_channel=v2.salesChannel)
