"""Anti-corruption layer: an ``order.confirmed`` CloudEvent (v1 or v2) → the analytics service's command."""

from __future__ import annotations

from cloudevents.core.base import BaseCloudEvent
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analytics_service.adapters.contracts import SUPPORTED_ORDER_CONFIRMED
from analytics_service.domain.pizza_counts import CountOrder, OrderLine
from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.errors import InvalidMessage


class _Item(BaseModel):
    model_config = ConfigDict(extra="ignore")
    pizza: str = Field(min_length=1)
    quantity: int = Field(ge=1)


class _OrderConfirmed(BaseModel):
    """The fields analytics reads, which v1 and v2 spell alike; anything else is ignored."""

    model_config = ConfigDict(extra="ignore")
    orderId: str = Field(min_length=1)  # noqa: N815 - the external schema's spelling
    # Not counted, but required: an event every other subscriber refuses must not be counted here
    # alone, or the statistics would include orders the business never fulfilled.
    customerId: str = Field(min_length=1)  # noqa: N815
    items: list[_Item] = Field(min_length=1)


def translate_order_confirmed(event: BaseCloudEvent) -> CountOrder:
    _require_supported_type(event)
    try:
        data = _OrderConfirmed.model_validate(event.get_data())
    except ValidationError as error:
        raise InvalidMessage(f"event {event.get_id()} is not a valid confirmed order: {_problems(error)}") from error
    return CountOrder(data.orderId, tuple(OrderLine(i.pizza, i.quantity) for i in data.items))


def _require_supported_type(event: BaseCloudEvent) -> None:
    supported = ", ".join(str(t) for t in SUPPORTED_ORDER_CONFIRMED)
    refusal = (
        f"event {event.get_id()} has type {event.get_type()!r}, which the analytics service does not support"
        f" (supported: {supported})"
    )
    try:
        event_type = EventType.parse(event.get_type())
    except InvalidMessage:
        raise InvalidMessage(refusal) from None
    if event_type not in SUPPORTED_ORDER_CONFIRMED:
        raise InvalidMessage(refusal)


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'data'}: {e['msg']}" for e in error.errors(include_url=False)
    )
