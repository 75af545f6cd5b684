"""Anti-corruption layer: a ``delivery.due-soon`` CloudEvent → the kitchen's own alert."""

from __future__ import annotations

from cloudevents.core.base import BaseCloudEvent
from pydantic import AwareDatetime, BaseModel, ConfigDict

from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.consumer import Translation
from integration_patterns.event_contracts import Identifier, validated_data
from kitchen_service.domain.delivery_alert import DeliveryAlert
from pizza_contracts import DELIVERY_DUE_SOON_V1, about_order


class _DeliveryDueSoonV1(BaseModel):
    model_config = ConfigDict(extra="ignore")
    orderId: Identifier  # noqa: N815 - the external schema's spelling
    dueAt: AwareDatetime  # noqa: N815


def translate_delivery_alert(event: BaseCloudEvent, event_type: EventType) -> DeliveryAlert:
    data = validated_data(_DeliveryDueSoonV1, event, "delivery alert")
    return DeliveryAlert(order_id=data.orderId, due_at=data.dueAt)


DELIVERY_ALERT_TRANSLATION = Translation(
    consumer="kitchen alerts",
    accepts=(DELIVERY_DUE_SOON_V1,),
    translate=translate_delivery_alert,
    describe=lambda alert: about_order(alert.order_id),
)
