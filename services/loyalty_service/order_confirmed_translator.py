"""Anti-corruption layer: an ``order.confirmed`` CloudEvent (v1 or v2) → the loyalty service's command."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from cloudevents.core.base import BaseCloudEvent
from pydantic import BaseModel, ConfigDict

from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.consumer import Translation
from integration_patterns.event_contracts import Amount, DecimalText, Identifier, validated_data
from loyalty_service.domain import AwardPoints, SalesChannel
from pizza_contracts import ORDER_CONFIRMED_V1, ORDER_CONFIRMED_VERSIONS, about_order

# Only the fields loyalty uses are declared; anything else in the event is ignored (tolerant reader).


class _OrderConfirmedV1(BaseModel):
    model_config = ConfigDict(extra="ignore")
    orderId: Identifier  # noqa: N815 - the external schema's spelling
    customerId: Identifier  # noqa: N815
    # v1 sends euros as a JSON number; strict, so a string or a boolean is refused rather than guessed.
    amount: Amount


class _Money(BaseModel):
    model_config = ConfigDict(extra="ignore")
    # Points are per euro: another currency would need a rate the scheme does not define.
    currency: Literal["EUR"]
    value: DecimalText


class _OrderConfirmedV2(BaseModel):
    model_config = ConfigDict(extra="ignore")
    orderId: Identifier  # noqa: N815
    customerId: Identifier  # noqa: N815
    amount: _Money
    salesChannel: SalesChannel  # noqa: N815


def translate_order_confirmed(event: BaseCloudEvent, event_type: EventType) -> AwardPoints:
    if event_type == ORDER_CONFIRMED_V1:
        v1 = validated_data(_OrderConfirmedV1, event, "confirmed order")
        # str() first: the float's shortest repr (23.5), not its binary expansion.
        return AwardPoints(v1.orderId, v1.customerId, Decimal(str(v1.amount)), sales_channel=None)
    v2 = validated_data(_OrderConfirmedV2, event, "confirmed order")
    return AwardPoints(v2.orderId, v2.customerId, Decimal(v2.amount.value), sales_channel=v2.salesChannel)


ORDER_CONFIRMED_TRANSLATION = Translation(
    consumer="loyalty service",
    accepts=ORDER_CONFIRMED_VERSIONS,
    translate=translate_order_confirmed,
    describe=lambda command: about_order(command.order_id),
)
