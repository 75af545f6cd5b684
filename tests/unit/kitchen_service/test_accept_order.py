"""The kitchen accepts an order once and acknowledges every delivery of it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kitchen_service.domain.kitchen_order import Dish, KitchenOrder, OrderToPrepare, OvenFailure
from kitchen_service.use_cases import AcceptanceOutcome, accept_order
from twins.kitchen import InMemoryAcknowledgements, InMemoryKitchenOrderRepository

REPLY_TO = "https://sqs.us-east-1.amazonaws.com/000000000000/pizza-order-acknowledgements"
FIRST_DELIVERY = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
REDELIVERY = datetime(2025, 3, 14, 12, 3, tzinfo=UTC)


CALLBACK_ID = "callback-of-the-saga"


def _order(*pizzas: str, reply_to: str | None = REPLY_TO, callback_id: str | None = None) -> OrderToPrepare:
    return OrderToPrepare(
        order_id="order-1",
        customer_id="customer-7",
        dishes=tuple(Dish(pizza, 1) for pizza in pizzas or ("Margherita",)),
        reply_to=reply_to,
        callback_id=callback_id,
    )


def test_a_new_order_is_stored_and_acknowledged_to_its_reply_queue() -> None:
    # Given a kitchen with no orders
    kitchen_orders, acknowledgements = InMemoryKitchenOrderRepository(), InMemoryAcknowledgements()

    # When an order arrives
    outcome = accept_order(_order(), kitchen_orders, acknowledgements, now=lambda: FIRST_DELIVERY)

    # Then it is stored, and acknowledged to the queue the order asked for
    assert outcome == AcceptanceOutcome("order-1", created=True, acknowledged=True)
    assert kitchen_orders.orders == {
        "order-1": KitchenOrder("order-1", "customer-7", (Dish("Margherita", 1),), FIRST_DELIVERY)
    }
    assert acknowledgements.sent == [("order-1", REPLY_TO)]


def test_a_redelivered_order_creates_no_second_kitchen_order_but_is_acknowledged_again() -> None:
    # Given an order the kitchen already took
    kitchen_orders, acknowledgements = InMemoryKitchenOrderRepository(), InMemoryAcknowledgements()
    accept_order(_order(), kitchen_orders, acknowledgements, now=lambda: FIRST_DELIVERY)

    # When the same order is delivered again
    outcome = accept_order(_order(), kitchen_orders, acknowledgements, now=lambda: REDELIVERY)

    # Then nothing new is stored: the original record, with its first received_at, stays
    assert outcome.created is False
    assert list(kitchen_orders.orders) == ["order-1"]
    assert kitchen_orders.orders["order-1"].received_at == FIRST_DELIVERY
    # And it is acknowledged again, in case the first reply never went out
    assert outcome.acknowledged is True
    assert acknowledgements.sent == [("order-1", REPLY_TO), ("order-1", REPLY_TO)]


def test_an_order_without_reply_to_is_stored_but_not_acknowledged() -> None:
    # Given an order that asks for no reply
    kitchen_orders, acknowledgements = InMemoryKitchenOrderRepository(), InMemoryAcknowledgements()

    # When it arrives
    outcome = accept_order(_order(reply_to=None), kitchen_orders, acknowledgements, now=lambda: FIRST_DELIVERY)

    # Then it is stored and nobody is told
    assert outcome == AcceptanceOutcome("order-1", created=True, acknowledged=False)
    assert "order-1" in kitchen_orders.orders
    assert acknowledgements.sent == []


def test_an_uncookable_pizza_in_any_case_fails_the_oven_and_nothing_is_stored_or_acknowledged() -> None:
    # Given the oven cannot make "Doomed Calzone", and an order spelling it in another case
    kitchen_orders, acknowledgements = InMemoryKitchenOrderRepository(), InMemoryAcknowledgements()
    order = _order("Margherita", "dOOMED calzone")

    # When the order arrives
    with pytest.raises(OvenFailure, match="dOOMED calzone"):
        accept_order(
            order, kitchen_orders, acknowledgements, now=lambda: FIRST_DELIVERY, uncookable_pizza="Doomed Calzone"
        )

    # Then the failure propagates (so SQS retries) and no trace of the order is left
    assert kitchen_orders.orders == {}
    assert acknowledgements.sent == []


def test_the_oven_fault_only_affects_orders_with_the_uncookable_pizza() -> None:
    # Given the oven fault is switched on
    kitchen_orders, acknowledgements = InMemoryKitchenOrderRepository(), InMemoryAcknowledgements()

    # When an order of other pizzas arrives
    outcome = accept_order(
        _order("Margherita", "Calzone"),
        kitchen_orders,
        acknowledgements,
        now=lambda: FIRST_DELIVERY,
        uncookable_pizza="Doomed Calzone",
    )

    # Then it is accepted as usual
    assert outcome.created is True
    assert acknowledgements.sent == [("order-1", REPLY_TO)]


def test_a_saga_order_is_stored_and_its_callback_answered_with_the_order() -> None:
    # Given an order from the saga, which waits on a callback instead of a reply queue
    kitchen_orders, acknowledgements = InMemoryKitchenOrderRepository(), InMemoryAcknowledgements()

    # When it arrives
    outcome = accept_order(
        _order(reply_to=None, callback_id=CALLBACK_ID), kitchen_orders, acknowledgements, now=lambda: FIRST_DELIVERY
    )

    # Then it is stored and the saga's callback is completed naming the order; no queue is replied to
    assert outcome == AcceptanceOutcome("order-1", created=True, acknowledged=True)
    assert "order-1" in kitchen_orders.orders
    assert acknowledgements.answered == {CALLBACK_ID: "order-1"}
    assert acknowledgements.sent == []


def test_a_saga_order_with_a_pizza_the_kitchen_cannot_make_is_refused_not_retried() -> None:
    # Given a saga's order of the pizza the kitchen cannot make
    kitchen_orders, acknowledgements = InMemoryKitchenOrderRepository(), InMemoryAcknowledgements()
    order = _order("Margherita", "Doomed Calzone", reply_to=None, callback_id=CALLBACK_ID)

    # When it arrives
    outcome = accept_order(
        order, kitchen_orders, acknowledgements, now=lambda: FIRST_DELIVERY, uncookable_pizza="Doomed Calzone"
    )

    # Then the saga's callback is failed with the kitchen's reason (a refusal the saga compensates),
    # the message is done (no exception, so no retry and no DLQ), and nothing is stored or answered
    assert outcome == AcceptanceOutcome("order-1", created=False, acknowledged=False, refused=True)
    assert acknowledgements.refused == {CALLBACK_ID: "the kitchen cannot make 'Doomed Calzone'"}
    assert acknowledgements.answered == {}
    assert kitchen_orders.orders == {}


def test_a_redelivered_saga_order_does_not_answer_its_callback_twice() -> None:
    # Given a saga's order the kitchen already answered
    kitchen_orders, acknowledgements = InMemoryKitchenOrderRepository(), InMemoryAcknowledgements()
    order = _order(reply_to=None, callback_id=CALLBACK_ID)
    accept_order(order, kitchen_orders, acknowledgements, now=lambda: FIRST_DELIVERY)

    # When the same message is delivered again
    outcome = accept_order(order, kitchen_orders, acknowledgements, now=lambda: REDELIVERY)

    # Then no second kitchen order is stored, and the callback keeps its one answer
    assert outcome.created is False
    assert list(kitchen_orders.orders) == ["order-1"]
    assert acknowledgements.answered == {CALLBACK_ID: "order-1"}
