"""Anti-corruption layer: an ``order.status-changed`` v1 CloudEvent → the webhook to send."""

from __future__ import annotations

from cloudevents.core.base import BaseCloudEvent
from pydantic import BaseModel, ConfigDict, Field

from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.consumer import Translation
from integration_patterns.event_contracts import Identifier, validated_data
from order_updates_service.domain import StatusUpdate, WebhookCall
from pizza_contracts import ORDER_STATUS_CHANGED_V1, about_order


class _StatusChangedV1(BaseModel):
    model_config = ConfigDict(extra="ignore")
    orderId: Identifier  # noqa: N815 - the event's own spelling
    customerId: Identifier  # noqa: N815
    sequence: int = Field(ge=0, strict=True)
    status: str = Field(min_length=1, max_length=40)
    at: str = Field(min_length=1, max_length=40)
    reason: str | None = Field(default=None, max_length=1000)
    callbackUrl: str = Field(min_length=1, max_length=2048)  # noqa: N815


def translate_status_changed(event: BaseCloudEvent, _: EventType) -> WebhookCall:
    data = validated_data(_StatusChangedV1, event, "order status change")
    update = StatusUpdate(data.orderId, data.customerId, data.sequence, data.status, data.at, data.reason)
    # The event's id is the webhook's: the same on every attempt, so a receiver drops a second copy.
    return WebhookCall(message_id=event.get_id(), update=update, callback_url=data.callbackUrl)


STATUS_CHANGED_TRANSLATION = Translation(
    consumer="order webhooks",
    accepts=(ORDER_STATUS_CHANGED_V1,),
    translate=translate_status_changed,
    describe=lambda call: about_order(call.update.order_id),
)
