"""The webhook dispatcher's anti-corruption layer: an order.status-changed v1 event becomes the
webhook call to make, under the event's own id; an event missing what a call needs is invalid."""

from __future__ import annotations

import re
from typing import Any

import pytest

from integration_patterns.cloudevents_envelope import EventType, new_event
from integration_patterns.errors import InvalidMessage
from order_updates_service.domain import StatusUpdate, WebhookCall
from order_updates_service.status_changed_translator import STATUS_CHANGED_TRANSLATION
from pizza_contracts import ORDER_STATUS_CHANGED_V1

DATA: dict[str, Any] = {
    "orderId": "order-1",
    "customerId": "c-1",
    "sequence": 2,
    "status": "PAID",
    "at": "2025-03-14T12:00:02+00:00",
    "reason": None,
    "callbackUrl": "https://hooks.example.com/pizza",
}


def _event(data: dict[str, Any], event_type: EventType = ORDER_STATUS_CHANGED_V1, event_id: str = "evt-42") -> Any:
    return new_event(event_type, "/pizza/order-service", data, subject="order-1", new_id=lambda: event_id)


def test_a_status_change_becomes_the_webhook_call_under_the_events_id() -> None:
    # Given an order.status-changed v1 event
    event = _event(DATA)

    # When it is read
    call = STATUS_CHANGED_TRANSLATION.read(event)

    # Then it is the call to make: the event's id (the same on every attempt), the update, the URL
    assert call == WebhookCall(
        message_id="evt-42",
        update=StatusUpdate("order-1", "c-1", 2, "PAID", "2025-03-14T12:00:02+00:00", None),
        callback_url="https://hooks.example.com/pizza",
    )


def test_a_failure_keeps_its_reason_and_unknown_fields_are_ignored() -> None:
    # Given a FAILED change with a reason, and a field a later producer added
    event = _event({**DATA, "status": "FAILED", "reason": "payment declined", "addedLater": True})

    # When it is read, Then the reason is kept and the unknown field does no harm
    assert STATUS_CHANGED_TRANSLATION.read(event).update.reason == "payment declined"


def test_the_call_is_described_by_its_order_for_tracing() -> None:
    # Given a call read from an event, When it is described, Then it names its order
    call = STATUS_CHANGED_TRANSLATION.read(_event(DATA))
    assert "order-1" in STATUS_CHANGED_TRANSLATION.describe(call).values()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"callbackUrl": None}, "callbackUrl"),
        ({"callbackUrl": ""}, "callbackUrl"),
        ({"callbackUrl": 42}, "callbackUrl"),
        ({"callbackUrl": "https://x/" + "a" * 2048}, "callbackUrl"),
        ({"sequence": "2"}, "sequence"),
        ({"sequence": -1}, "sequence"),
        ({"status": ""}, "status"),
        ({"orderId": None}, "orderId"),
    ],
)
def test_an_event_missing_or_mistyping_what_a_call_needs_is_invalid_naming_the_field(
    change: dict[str, Any], field: str
) -> None:
    # Given an event whose data lacks or mistypes a field the call needs
    data = {name: value for name, value in {**DATA, **change}.items() if value is not None}

    # When it is read, Then it is invalid (never retried), the reason naming the field
    with pytest.raises(InvalidMessage) as refusal:
        STATUS_CHANGED_TRANSLATION.read(_event(data))
    assert field in refusal.value.reason


def test_an_event_of_another_type_or_version_is_invalid() -> None:
    # Given an order.status-changed v2 event, which this consumer does not take
    event = _event(DATA, event_type=EventType("com.pizza.order.status-changed", 2))

    # When it is read, Then it is invalid, naming what is supported
    with pytest.raises(InvalidMessage, match=re.escape("com.pizza.order.status-changed.v1")):
        STATUS_CHANGED_TRANSLATION.read(event)
