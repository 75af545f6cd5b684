"""Every consumer's anti-corruption layer names the order its message is about, on the span, so
`pizza trace` finds each consumer's work by the order id."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from typing import Any

import pytest
from order_confirmed_support import OrderConfirmedEvents

from integration_patterns.cloudevents_envelope import CORRELATION_ID, REPLY_TO, new_event
from integration_patterns.consumer import Translation
from kitchen_service.adapters.delivery_alert_translator import DELIVERY_ALERT_TRANSLATION
from kitchen_service.adapters.order_placed_translator import order_placed_translation
from order_service.adapters.acknowledgement_translator import ACKNOWLEDGEMENT_TRANSLATION
from pizza_contracts import (
    DELIVERY_DUE_SOON_V1,
    KITCHEN_ACKNOWLEDGED_V1,
    ORDER_CONFIRMED_V2,
    ORDER_ID_SPAN_ATTRIBUTE,
    ORDER_PLACED_V1,
)
from pizza_ops.system import load_system

ORDER_ID = "order-1"  # the id the order.confirmed support events carry
REPLY_QUEUE = "https://sqs.test/acknowledgements"


def _placed() -> Any:
    data = {"orderId": ORDER_ID, "customerId": "c-1", "items": [{"pizza": "Margherita", "quantity": 1}]}
    return new_event(ORDER_PLACED_V1, "/pizza/order-service", data, extensions={REPLY_TO: REPLY_QUEUE})


def _acknowledged() -> Any:
    return new_event(
        KITCHEN_ACKNOWLEDGED_V1, "/pizza/kitchen", {"orderId": ORDER_ID}, extensions={CORRELATION_ID: ORDER_ID}
    )


def _due_soon() -> Any:
    due = datetime(2026, 12, 3, 12, 45, tzinfo=UTC).isoformat()
    return new_event(DELIVERY_DUE_SOON_V1, "/pizza/order-service", {"orderId": ORDER_ID, "dueAt": due})


def _confirmed() -> Any:
    events = OrderConfirmedEvents(ORDER_CONFIRMED_V2)
    return events.event(events.v2())


def _subscriber_packages() -> list[str]:
    """The package of every function consuming a queue the order-events topic feeds (the declaration's)."""
    system = load_system()
    queues = {queue for topic in system.topics.values() for queue in topic.subscribers}
    return sorted({system.functions[t.function].package for t in system.triggers if t.queue in queues})


def _order_confirmed_translation(package: str) -> Translation[Any]:
    translation: Translation[Any] = importlib.import_module(
        f"{package}.order_confirmed_translator"
    ).ORDER_CONFIRMED_TRANSLATION
    return translation


POINT_TO_POINT = {
    "kitchen": (order_placed_translation({REPLY_QUEUE}), _placed),
    "acknowledgements": (ACKNOWLEDGEMENT_TRANSLATION, _acknowledged),
    "kitchen alerts": (DELIVERY_ALERT_TRANSLATION, _due_soon),
}


@pytest.mark.parametrize(
    ("translation", "event"),
    [
        *((_order_confirmed_translation(package), _confirmed) for package in _subscriber_packages()),
        *POINT_TO_POINT.values(),
    ],
    ids=[*_subscriber_packages(), *POINT_TO_POINT],
)
def test_each_translation_describes_its_message_by_the_order_id(translation: Translation[Any], event: Any) -> None:
    # Given an event the consumer takes / When it is read and described
    described = translation.describe(translation.read(event()))

    # Then the description names the order, under the attribute every tool searches
    assert described == {ORDER_ID_SPAN_ATTRIBUTE: ORDER_ID}
