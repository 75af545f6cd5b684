"""Anti-corruption layer: a ``delivery.due-soon`` CloudEvent → the kitchen's own alert."""

from __future__ import annotations

from cloudevents.core.base import BaseCloudEvent
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.errors import InvalidMessage
from integration_patterns.event_contracts import validated_data
from kitchen_service.adapters.contracts import DELIVERY_DUE_SOON_V1
from kitchen_service.domain.delivery_alert import DeliveryAlert


class _DeliveryDueSoonV1(BaseModel):
    model_config = ConfigDict(extra="ignore")
    orderId: str = Field(min_length=1)  # noqa: N815 - the external schema's spelling
    dueAt: AwareDatetime  # noqa: N815


def translate_delivery_alert(event: BaseCloudEvent) -> DeliveryAlert:
    if EventType.parse(event.get_type()) != DELIVERY_DUE_SOON_V1:
        raise InvalidMessage(f"unsupported event type {event.get_type()!r}; kitchen alerts take {DELIVERY_DUE_SOON_V1}")
    data = validated_data(_DeliveryDueSoonV1, event, "delivery alert")
    return DeliveryAlert(order_id=data.orderId, due_at=data.dueAt)
