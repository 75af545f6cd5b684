"""Notifications' anti-corruption layer: order.confirmed v1/v2 CloudEvents → NotifyCustomer."""

from __future__ import annotations

from typing import Any

import pytest
from order_confirmed_support import DUE, MISSING, OrderConfirmedEvents, refusal

from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.errors import InvalidMessage
from notifications_service.domain import NotifyCustomer, OrderType
from notifications_service.order_confirmed_translator import ORDER_CONFIRMED_TRANSLATION
from pizza_contracts import ORDER_CONFIRMED_V1, ORDER_CONFIRMED_V2

_orders = OrderConfirmedEvents(ORDER_CONFIRMED_V1, sales_channel="web")
_v1, _v2, _event = _orders.v1, _orders.v2, _orders.event


@pytest.mark.parametrize(
    ("data", "event_type"), [(_v1(), ORDER_CONFIRMED_V1), (_v2(), ORDER_CONFIRMED_V2)], ids=["v1", "v2"]
)
def test_a_confirmed_delivery_order_becomes_a_notification_command_with_its_due_time(
    data: dict[str, Any], event_type: EventType
) -> None:
    # Given a confirmed delivery order, in either version / When translated
    command = ORDER_CONFIRMED_TRANSLATION.read(_event(data, event_type))

    # Then the command names the order, its customer and when it is due
    assert command == NotifyCustomer("order-1", "customer-7", OrderType.DELIVERY, DUE)


def test_a_collection_order_has_no_due_time() -> None:
    # Given a collection order / When translated / Then it carries no delivery time
    command = ORDER_CONFIRMED_TRANSLATION.read(
        _event(_v1(orderType="collection", deliveryDueAt=None, deliveryAddress=None))
    )
    assert command == NotifyCustomer("order-1", "customer-7", OrderType.COLLECTION, None)


def test_fields_notifications_does_not_read_may_be_absent() -> None:
    # Given an event without amount, items or address (notifications never reads them)
    data = _v2(amount=MISSING, items=MISSING, deliveryAddress=MISSING, salesChannel=MISSING, extra={"x": 1})

    # When translated / Then they do not matter (tolerant reader)
    assert ORDER_CONFIRMED_TRANSLATION.read(_event(data, ORDER_CONFIRMED_V2)).order_id == "order-1"


def test_a_v3_event_is_refused_naming_its_type_and_the_supported_versions() -> None:
    # Given a version notifications has never heard of / When translated
    reason = refusal(ORDER_CONFIRMED_TRANSLATION.read, _event(_v2(), EventType("com.pizza.order.confirmed", 3)))

    # Then the reason names what came and what is supported
    assert "com.pizza.order.confirmed.v3" not in reason
    assert "com.pizza.order.confirmed.v1, com.pizza.order.confirmed.v2" in reason
    assert "event-1" not in reason  # a reason never quotes input, ids included


def test_an_event_of_another_type_is_refused() -> None:
    # Given an order.placed event / When translated / Then it is refused, naming what is supported (not what came)
    with pytest.raises(
        InvalidMessage, match=r"supported: com\.pizza\.order\.confirmed\.v1, com\.pizza\.order\.confirmed\.v2"
    ):
        ORDER_CONFIRMED_TRANSLATION.read(_event(_v1(), EventType("com.pizza.order.placed", 1)))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_v1(orderId=MISSING), "orderId"),
        (_v1(orderId=""), "orderId"),
        (_v1(customerId=MISSING), "customerId"),
        (_v1(orderType=MISSING), "orderType"),
        (_v1(orderType="drone"), "orderType"),
        (_v1(deliveryDueAt="soon"), "deliveryDueAt"),
        (_v1(deliveryDueAt="2025-03-14T12:45:00"), "deliveryDueAt"),
    ],
    ids=["missing orderId", "empty orderId", "missing customerId", "missing orderType", "unknown orderType",
         "due time not a time", "due time without zone"],
)  # fmt: skip
def test_an_invalid_order_is_refused_naming_the_field(data: dict[str, Any], field: str) -> None:
    # Given an event with one bad field / When translated / Then the reason names it and the event
    reason = refusal(ORDER_CONFIRMED_TRANSLATION.read, _event(data))
    assert f"{field}:" in reason
    assert "event-1" not in reason  # a reason never quotes input, ids included
