"""The order.confirmed v1/v2 events the subscribers' translator tests feed to their anti-corruption layers.

Each subscriber owns its translator and its tests; what they share is the producer's message, built
here once. A test overrides only the fields it is about, and MISSING leaves a field out altogether
(as opposed to ``None``, which sends it as null).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from cloudevents.core.v1.event import CloudEvent

from integration_patterns.cloudevents_envelope import EventType, new_event
from integration_patterns.errors import InvalidMessage

ORDER_SOURCE = "/pizza/order-service"
MISSING: Any = object()
# The deliveryDueAt of the standard order below, as a translator should read it.
DUE = datetime(2025, 3, 14, 12, 45, tzinfo=UTC)

_DELIVERY_ORDER: Mapping[str, Any] = {
    "orderId": "order-1",
    "customerId": "customer-7",
    "orderType": "delivery",
    "items": [{"pizza": "Margherita", "quantity": 2}],
    "amount": 23.5,
    "confirmedAt": "2025-03-14T12:00:00Z",
    "deliveryDueAt": "2025-03-14T12:45:00Z",
    "deliveryAddress": {"ciphertext": "AQID", "keyId": "alias/order-pii"},
}


@dataclass(frozen=True)
class OrderConfirmedEvents:
    """Builds order.confirmed data, and CloudEvents typed with one subscriber's own contract.

    ``event_type`` is the type an event gets when the test names none; ``defaults`` replaces fields
    of the standard delivery order in all data this builder makes; ``sales_channel`` is what v2 says.
    """

    event_type: EventType
    sales_channel: str = "app"
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def v1(self, **overrides: Any) -> dict[str, Any]:
        # A fresh copy each time, so no test shares nested lists or dicts with another.
        data: dict[str, Any] = copy.deepcopy({**_DELIVERY_ORDER, **self.defaults})
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not MISSING}

    def v2(self, **overrides: Any) -> dict[str, Any]:
        money = {"currency": "EUR", "value": "23.50"}
        return self.v1(**{"amount": money, "salesChannel": self.sales_channel, **overrides})

    def event(self, data: Mapping[str, Any], event_type: EventType | None = None) -> CloudEvent:
        event_type = event_type or self.event_type
        return new_event(event_type, ORDER_SOURCE, data, subject=data.get("orderId"), new_id=lambda: "event-1")


def refusal(translate: Callable[[CloudEvent], object], event: CloudEvent) -> str:
    """The reason ``translate`` gives for refusing ``event``; the test fails if it is accepted."""
    with pytest.raises(InvalidMessage) as rejected:
        translate(event)
    return rejected.value.reason
