"""The kitchen's anti-corruption layer for alerts: a delivery.due-soon.v1 CloudEvent → DeliveryAlert."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from cloudevents.core.v1.event import CloudEvent

from integration_patterns.cloudevents_envelope import EventType, new_event
from integration_patterns.errors import InvalidMessage
from kitchen_service.adapters.delivery_alert_translator import DELIVERY_ALERT_TRANSLATION
from kitchen_service.domain.delivery_alert import DeliveryAlert
from pizza_contracts import DELIVERY_DUE_SOON_V1

ORDER_SOURCE = "/pizza/order-service"


def _data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "orderId": "order-1",
        "dueAt": "2025-03-14T13:30:00+00:00",
        "items": [{"pizza": "Margherita", "quantity": 1}],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _event(data: dict[str, Any], event_type: EventType = DELIVERY_DUE_SOON_V1) -> CloudEvent:
    return new_event(event_type, ORDER_SOURCE, data, new_id=lambda: "event-1")


def test_a_due_soon_event_becomes_a_delivery_alert() -> None:
    # Given a v1 due-soon event for order-1, due at 14:30 in UTC+01:00
    event = _event(_data(dueAt="2025-03-14T14:30:00+01:00"))

    # When the kitchen translates it
    alert = DELIVERY_ALERT_TRANSLATION.read(event)

    # Then the kitchen's alert names the order and the moment it is due
    assert alert == DeliveryAlert(order_id="order-1", due_at=datetime(2025, 3, 14, 13, 30, tzinfo=UTC))


@pytest.mark.parametrize(
    "event_type",
    [EventType("com.pizza.order.delivery.due-soon", 2), EventType("com.pizza.order.placed", 1)],
    ids=["unsupported version", "another type"],
)
def test_an_event_of_another_type_or_version_is_invalid(event_type: EventType) -> None:
    # Given an event that is not delivery.due-soon.v1
    event = _event(_data(), event_type)

    # When translated / Then it is refused, naming the type
    with pytest.raises(InvalidMessage) as rejected:
        DELIVERY_ALERT_TRANSLATION.read(event)
    assert str(event_type) not in rejected.value.reason


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_data(orderId=None), "orderId"),
        (_data(orderId=""), "orderId"),
        (_data(dueAt=None), "dueAt"),
        (_data(dueAt="2025-03-14T13:30:00"), "dueAt"),
        (_data(dueAt="soon"), "dueAt"),
    ],
    ids=["missing orderId", "empty orderId", "missing dueAt", "dueAt without a UTC offset", "dueAt not a time"],
)
def test_an_invalid_alert_is_refused_naming_the_field_and_the_event(data: dict[str, Any], field: str) -> None:
    # Given a due-soon event with one bad field
    event = _event(data)

    # When translated / Then the reason names that field and the event
    with pytest.raises(InvalidMessage) as rejected:
        DELIVERY_ALERT_TRANSLATION.read(event)
    assert f"{field}:" in rejected.value.reason
    assert "event-1" not in rejected.value.reason  # a reason never quotes input, ids included
