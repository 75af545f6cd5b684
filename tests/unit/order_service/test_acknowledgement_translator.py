"""The anti-corruption layer: the kitchen's acknowledgement event → KitchenAcknowledgement."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integration_patterns.cloudevents_envelope import CORRELATION_ID, EventType, new_event
from integration_patterns.errors import InvalidMessage
from order_service.adapters.acknowledgement_translator import ACKNOWLEDGEMENT_TRANSLATION
from order_service.domain.acknowledgement import KitchenAcknowledgement
from pizza_contracts import KITCHEN_ACKNOWLEDGED_V1

KITCHEN_SOURCE = "/pizza/kitchen-service"
ACK_TIME = datetime(2025, 3, 14, 12, 1, 30, tzinfo=UTC)


def test_an_acknowledged_event_becomes_an_acknowledgement_of_the_correlated_order() -> None:
    # Given the kitchen's acknowledgement, correlated to order-1
    event = new_event(
        KITCHEN_ACKNOWLEDGED_V1,
        KITCHEN_SOURCE,
        {"orderId": "ignored-by-the-acl"},
        extensions={CORRELATION_ID: "order-1"},
        now=lambda: ACK_TIME,
    )

    # When it is translated
    acknowledgement = ACKNOWLEDGEMENT_TRANSLATION.read(event)

    # Then the correlation id names the order and the event time is the acknowledgement time
    assert acknowledgement == KitchenAcknowledgement(order_id="order-1", acknowledged_at=ACK_TIME)


@pytest.mark.parametrize(
    "event_type",
    [EventType("com.pizza.order.placed", 1), EventType("com.pizza.kitchen.order.acknowledged", 2)],
    ids=["another type", "another version"],
)
def test_an_event_of_another_type_is_invalid_and_named(event_type: EventType) -> None:
    # Given an event that is not a v1 acknowledgement
    event = new_event(event_type, KITCHEN_SOURCE, {}, extensions={CORRELATION_ID: "order-1"})

    # When it is translated / Then it is refused, naming the type it got
    with pytest.raises(InvalidMessage) as rejected:
        ACKNOWLEDGEMENT_TRANSLATION.read(event)
    assert str(event_type) not in rejected.value.reason


def test_an_acknowledgement_without_a_correlation_id_is_invalid() -> None:
    # Given an acknowledgement that does not say which order it is about
    event = new_event(KITCHEN_ACKNOWLEDGED_V1, KITCHEN_SOURCE, {}, new_id=lambda: "event-9")

    # When it is translated / Then it is refused, naming the missing correlationid
    with pytest.raises(InvalidMessage) as rejected:
        ACKNOWLEDGEMENT_TRANSLATION.read(event)
    assert "correlationid" in rejected.value.reason
    assert "event-9" not in rejected.value.reason  # a reason never quotes input, ids included
