"""Anti-corruption layer: an ``order.confirmed`` CloudEvent (v1 or v2) → the notifications service's command."""

from __future__ import annotations

from cloudevents.core.base import BaseCloudEvent
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.errors import InvalidMessage
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
    _require_supported_type(event)
    try:
        data = _OrderConfirmed.model_validate(event.get_data())
    except ValidationError as error:
        raise InvalidMessage(f"event {event.get_id()} is not a valid confirmed order: {_problems(error)}") from error
    return NotifyCustomer(data.orderId, data.customerId, data.orderType, data.deliveryDueAt)


def _require_supported_type(event: BaseCloudEvent) -> None:
    supported = ", ".join(str(t) for t in SUPPORTED_ORDER_CONFIRMED)
    refusal = (
        f"event {event.get_id()} has type {event.get_type()!r}, which the notifications service does not support"
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
