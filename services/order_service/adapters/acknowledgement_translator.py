"""Anti-corruption layer: the kitchen's acknowledgement message → this service's model."""

from __future__ import annotations

from datetime import datetime

from cloudevents.core.base import BaseCloudEvent

from integration_patterns.cloudevents_envelope import CORRELATION_ID, EventType, optional_extension
from integration_patterns.consumer import Translation
from integration_patterns.errors import InvalidMessage
from integration_patterns.event_contracts import MAX_IDENTIFIER_LENGTH
from order_service.domain.acknowledgement import KitchenAcknowledgement
from pizza_contracts import KITCHEN_ACKNOWLEDGED_V1, about_order


def translate_acknowledgement(event: BaseCloudEvent, event_type: EventType) -> KitchenAcknowledgement:
    """The correlation id names the order; the event time is when the kitchen acknowledged it."""
    order_id = optional_extension(event, CORRELATION_ID)
    if not order_id:
        raise InvalidMessage("correlationid: required, naming the order")
    if len(order_id) > MAX_IDENTIFIER_LENGTH:
        raise InvalidMessage(f"correlationid: longer than {MAX_IDENTIFIER_LENGTH} characters")
    acknowledged_at = event.get_time()
    if not isinstance(acknowledged_at, datetime):
        raise InvalidMessage("time: required, when the kitchen acknowledged the order")
    return KitchenAcknowledgement(order_id=order_id, acknowledged_at=acknowledged_at)


ACKNOWLEDGEMENT_TRANSLATION = Translation(
    consumer="order service",
    accepts=(KITCHEN_ACKNOWLEDGED_V1,),
    translate=translate_acknowledgement,
    describe=lambda acknowledgement: about_order(acknowledgement.order_id),
)
