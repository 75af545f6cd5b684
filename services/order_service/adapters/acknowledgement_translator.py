"""Anti-corruption layer: the kitchen's acknowledgement message → this service's model."""

from __future__ import annotations

from datetime import datetime

from cloudevents.core.base import BaseCloudEvent

from integration_patterns.cloudevents_envelope import CORRELATION_ID, EventType, optional_extension
from integration_patterns.errors import InvalidMessage
from order_service.adapters.contracts import KITCHEN_ACKNOWLEDGED_V1
from order_service.domain.acknowledgement import KitchenAcknowledgement


def translate_acknowledgement(event: BaseCloudEvent) -> KitchenAcknowledgement:
    """The correlation id names the order; the event time is when the kitchen acknowledged it."""
    event_type = EventType.parse(event.get_type())
    if event_type != KITCHEN_ACKNOWLEDGED_V1:
        raise InvalidMessage(f"unsupported event type {event.get_type()!r}; expected {KITCHEN_ACKNOWLEDGED_V1}")
    order_id = optional_extension(event, CORRELATION_ID)
    if not order_id:
        raise InvalidMessage(f"acknowledgement {event.get_id()} has no correlationid naming the order")
    acknowledged_at = event.get_time()
    if not isinstance(acknowledged_at, datetime):
        raise InvalidMessage(f"acknowledgement {event.get_id()} has no time")
    return KitchenAcknowledgement(order_id=order_id, acknowledged_at=acknowledged_at)
