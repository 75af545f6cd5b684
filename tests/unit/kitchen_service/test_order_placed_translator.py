"""The kitchen's anti-corruption layer: an order.placed.v1 CloudEvent → OrderToPrepare."""

from __future__ import annotations

from typing import Any

import pytest
from cloudevents.core.v1.event import CloudEvent

from integration_patterns.cloudevents_envelope import (
    CORRELATION_ID,
    DURABLE_CALLBACK_ID,
    REPLY_TO,
    EventType,
    new_event,
)
from integration_patterns.errors import InvalidMessage
from kitchen_service.adapters.order_placed_translator import order_placed_translation
from kitchen_service.domain.kitchen_order import Dish, OrderToPrepare
from pizza_contracts import ORDER_PLACED_V1

ORDER_SOURCE = "/pizza/order-service"
ACK_QUEUE = "https://sqs.us-east-1.amazonaws.com/000000000000/pizza-order-acknowledgements"
ALLOWED = frozenset({ACK_QUEUE})


def _data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "orderId": "order-1",
        "customerId": "customer-7",
        "items": [{"pizza": "Margherita", "quantity": 2}],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _event(
    data: dict[str, Any], *, event_type: EventType = ORDER_PLACED_V1, reply_to: str | None = ACK_QUEUE
) -> CloudEvent:
    extensions = {CORRELATION_ID: "order-1"}
    if reply_to is not None:
        extensions[REPLY_TO] = reply_to
    return new_event(event_type, ORDER_SOURCE, data, extensions=extensions, new_id=lambda: "event-1")


def test_an_order_placed_event_becomes_an_order_to_prepare_with_its_reply_queue() -> None:
    # Given a v1 order.placed event asking for a reply on an allowed queue
    event = _event(_data(items=[{"pizza": "Margherita", "quantity": 2}, {"pizza": "Diavola", "quantity": 1}]))

    # When the kitchen translates it
    order = order_placed_translation(ALLOWED).read(event)

    # Then the kitchen's own command carries the order, its dishes and the reply queue
    assert order == OrderToPrepare(
        order_id="order-1",
        customer_id="customer-7",
        dishes=(Dish("Margherita", 2), Dish("Diavola", 1)),
        reply_to=ACK_QUEUE,
    )


def test_an_event_without_replyto_becomes_an_order_that_needs_no_reply() -> None:
    # Given an event with no replyto / When translated / Then nobody is to be told
    assert order_placed_translation(ALLOWED).read(_event(_data(), reply_to=None)).reply_to is None


def test_unknown_data_fields_are_ignored() -> None:
    # Given a producer that added fields the kitchen does not use (tolerant reader)
    data = _data(orderType="delivery", deliveryAddress={"line1": "1 High Street"})
    data["items"] = [{"pizza": "Margherita", "quantity": 2, "extraCheese": True}]

    # When translated / Then they do not matter
    order = order_placed_translation(ALLOWED).read(_event(data))
    assert order.dishes == (Dish("Margherita", 2),)


@pytest.mark.parametrize(
    "event_type",
    [EventType("com.pizza.order.placed", 2), EventType("com.pizza.kitchen.order.acknowledged", 1)],
    ids=["unsupported version", "another type"],
)
def test_an_event_of_another_type_or_version_is_invalid(event_type: EventType) -> None:
    # Given an event that is not order.placed.v1
    event = _event(_data(), event_type=event_type)

    # When translated / Then it is refused, naming the type
    with pytest.raises(InvalidMessage) as rejected:
        order_placed_translation(ALLOWED).read(event)
    assert str(event_type) not in rejected.value.reason


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_data(orderId=None), "orderId"),
        (_data(orderId=""), "orderId"),
        (_data(customerId=None), "customerId"),
        (_data(items=[]), "items"),
        (_data(items=[{"pizza": "Margherita", "quantity": 0}]), "items.0.quantity"),
        (_data(items=[{"pizza": "", "quantity": 1}]), "items.0.pizza"),
    ],
    ids=["missing orderId", "empty orderId", "missing customerId", "empty items", "quantity 0", "empty pizza"],
)
def test_an_invalid_order_is_refused_naming_the_field(data: dict[str, Any], field: str) -> None:
    # Given an order.placed event with one bad field
    event = _event(data)

    # When translated / Then the reason names that field and the event
    with pytest.raises(InvalidMessage) as rejected:
        order_placed_translation(ALLOWED).read(event)
    assert f"{field}:" in rejected.value.reason
    assert "event-1" not in rejected.value.reason  # a reason never quotes input, ids included


def test_a_reply_to_a_queue_outside_the_allow_list_is_refused() -> None:
    # Given an event asking for replies on a queue the kitchen may not write to
    event = _event(_data(), reply_to="https://sqs.us-east-1.amazonaws.com/000000000000/attacker-queue")

    # When translated / Then it is refused
    with pytest.raises(InvalidMessage, match=r"^replyto: a queue the kitchen may not reply to$"):
        order_placed_translation(ALLOWED).read(event)


def test_a_saga_s_order_placed_event_carries_the_callback_to_answer() -> None:
    # Given an order.placed from the saga: no reply queue, the callback id of the step waiting on it
    event = new_event(
        ORDER_PLACED_V1,
        ORDER_SOURCE,
        _data(),
        extensions={CORRELATION_ID: "order-1", DURABLE_CALLBACK_ID: "Y2FsbGJhY2s="},
        new_id=lambda: "event-1",
    )

    # When the kitchen reads it / Then the order names the callback, and no reply queue
    order = order_placed_translation(ALLOWED).read(event)
    assert order.callback_id == "Y2FsbGJhY2s="
    assert order.reply_to is None
