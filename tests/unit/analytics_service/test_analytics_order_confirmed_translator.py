"""Analytics' anti-corruption layer: order.confirmed v1/v2 CloudEvents → CountOrder."""

from __future__ import annotations

from typing import Any

import pytest
from order_confirmed_support import MISSING, OrderConfirmedEvents, refusal

from analytics_service.domain import CountOrder, OrderLine
from analytics_service.order_confirmed_translator import ORDER_CONFIRMED_TRANSLATION
from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.errors import InvalidMessage
from pizza_contracts import ORDER_CONFIRMED_V1, ORDER_CONFIRMED_V2

# Analytics counts pizzas, so its standard order is a collection of two kinds.
_orders = OrderConfirmedEvents(
    ORDER_CONFIRMED_V1,
    sales_channel="app",
    defaults={
        "orderType": "collection",
        "items": [{"pizza": "Margherita", "quantity": 2}, {"pizza": "Diavola", "quantity": 1}],
        "deliveryDueAt": None,
        "deliveryAddress": None,
    },
)
_v1, _v2, _event = _orders.v1, _orders.v2, _orders.event


@pytest.mark.parametrize(
    ("data", "event_type"), [(_v1(), ORDER_CONFIRMED_V1), (_v2(), ORDER_CONFIRMED_V2)], ids=["v1", "v2"]
)
def test_a_confirmed_order_becomes_an_order_to_count(data: dict[str, Any], event_type: EventType) -> None:
    # Given a confirmed order, in either version / When translated
    command = ORDER_CONFIRMED_TRANSLATION.read(_event(data, event_type))

    # Then analytics' command holds the order's lines
    assert command == CountOrder("order-1", (OrderLine("Margherita", 2), OrderLine("Diavola", 1)))


def test_fields_analytics_does_not_read_may_be_absent_or_unexpected() -> None:
    # Given an event with only the order, its customer and items, and an unknown extra on an item
    data = {
        "orderId": "order-1",
        "customerId": "customer-7",
        "items": [{"pizza": "Margherita", "quantity": 1, "extraCheese": True}],
    }

    # When translated / Then the rest does not matter (tolerant reader)
    assert ORDER_CONFIRMED_TRANSLATION.read(_event(data, ORDER_CONFIRMED_V2)).lines == (OrderLine("Margherita", 1),)


def test_a_v3_event_is_refused_naming_its_type_and_the_supported_versions() -> None:
    # Given a version analytics has never heard of / When translated
    reason = refusal(ORDER_CONFIRMED_TRANSLATION.read, _event(_v2(), EventType("com.pizza.order.confirmed", 3)))

    # Then the reason names what came and what is supported
    assert "com.pizza.order.confirmed.v3" not in reason
    assert "com.pizza.order.confirmed.v1, com.pizza.order.confirmed.v2" in reason


def test_an_event_of_another_type_is_refused() -> None:
    # Given a kitchen event / When translated / Then it is refused, naming what is supported (not what came)
    with pytest.raises(
        InvalidMessage, match=r"supported: com\.pizza\.order\.confirmed\.v1, com\.pizza\.order\.confirmed\.v2"
    ):
        ORDER_CONFIRMED_TRANSLATION.read(_event(_v1(), EventType("com.pizza.kitchen.order.acknowledged", 1)))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_v1(orderId=MISSING), "orderId"),
        (_v1(orderId=""), "orderId"),
        (_v1(customerId=MISSING), "customerId"),
        (_v1(items=MISSING), "items"),
        (_v1(items=[]), "items"),
        (_v1(items=[{"quantity": 1}]), "items.0.pizza"),
        (_v1(items=[{"pizza": "", "quantity": 1}]), "items.0.pizza"),
        (_v1(items=[{"pizza": "Margherita"}]), "items.0.quantity"),
        (_v1(items=[{"pizza": "Margherita", "quantity": 1}, {"pizza": "Diavola", "quantity": 0}]), "items.1.quantity"),
        (_v1(items=[{"pizza": "Margherita", "quantity": "two"}]), "items.0.quantity"),
    ],
    ids=["missing orderId", "empty orderId", "missing customerId", "missing items", "no items", "missing pizza",
         "empty pizza", "missing quantity", "quantity 0", "quantity not a number"],
)  # fmt: skip
def test_an_invalid_order_is_refused_naming_the_field(data: dict[str, Any], field: str) -> None:
    # Given an event with one bad field / When translated / Then the reason names it and the event
    reason = refusal(ORDER_CONFIRMED_TRANSLATION.read, _event(data))
    assert f"{field}:" in reason
    assert "event-1" not in reason  # a reason never quotes input, ids included
