"""The events the kitchen service publishes: every version it may send, with the model of its data.

The event catalog (``pizza catalog``) documents each model's JSON schema, and the kitchen's replies
are made through the same model, so the catalog describes what is sent. Not imported by the
function's entry point: it reaches the model through the replies adapter.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from integration_patterns.cloudevents_envelope import EventType
from kitchen_service.adapters.kitchen_replies import KitchenOrderAcknowledgedV1
from pizza_contracts import KITCHEN_ACKNOWLEDGED_V1

PUBLISHED_EVENTS: Mapping[EventType, type[BaseModel]] = {
    KITCHEN_ACKNOWLEDGED_V1: KitchenOrderAcknowledgedV1,
}
