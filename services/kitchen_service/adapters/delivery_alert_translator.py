"""Anti-corruption layer: a ``delivery.due-soon`` CloudEvent → the kitchen's own alert."""

from __future__ import annotations

from cloudevents.core.base import BaseCloudEvent
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.errors import InvalidMessage
from kitchen_service.adapters.contracts import DELIVERY_DUE_SOON_V1
from kitchen_service.domain.delivery_alert import DeliveryAlert


class _DeliveryDueSoonV1(BaseModel):
    model_config = ConfigDict(extra="ignore")
    orderId: str = Field(min_length=1)  # noqa: N815 - the external schema's spelling
    dueAt: AwareDatetime  # noqa: N815


def translate_delivery_alert(event: BaseCloudEvent) -> DeliveryAlert:
    if EventType.parse(event.get_type()) != DELIVERY_DUE_SOON_V1:
        raise InvalidMessage(f"unsupported event type {event.get_type()!r}; kitchen alerts take {DELIVERY_DUE_SOON_V1}")
    try:
        data = _DeliveryDueSoonV1.model_validate(event.get_data())
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors(include_url=False)
        )
        raise InvalidMessage(f"event {event.get_id()} is not a valid delivery alert: {problems}") from error
    return DeliveryAlert(order_id=data.orderId, due_at=data.dueAt)
