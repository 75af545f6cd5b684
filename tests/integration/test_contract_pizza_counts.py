"""Contract of the PizzaCounts port: its twin and its DynamoDB adapter count an order once.

The DynamoDB table is shared by every test, so each test names its own pizzas and reads only those.
"""

from __future__ import annotations

import pytest
from contract_support import DYNAMODB, IMPLEMENTATIONS, emulator, new_id

from analytics_service.domain import CountedOrder, CountOutcome, PizzaCount, PizzaInOrder
from analytics_service.dynamodb_pizza_counts import DynamoDbPizzaCounts
from analytics_service.ports import PizzaCounts
from integration_patterns.dynamodb_writes import MAX_TRANSACTION_ACTIONS
from integration_patterns.errors import InvalidMessage
from twins.analytics import InMemoryPizzaCounts

# An order is counted in one transaction: its marker, and one action per pizza.
MOST_PIZZAS_PER_ORDER = MAX_TRANSACTION_ACTIONS - 1


@pytest.fixture(params=IMPLEMENTATIONS)
def counts(request: pytest.FixtureRequest) -> PizzaCounts:
    if request.param == DYNAMODB:
        aws = emulator(request)
        return DynamoDbPizzaCounts(
            aws.dynamodb, aws.table("analytics-pizza-counts"), aws.table("analytics-counted-orders")
        )
    return InMemoryPizzaCounts()


def _order(order_id: str, *pizzas: tuple[str, int]) -> CountedOrder:
    return CountedOrder(order_id, tuple(PizzaInOrder(pizza, quantity) for pizza, quantity in pizzas))


def _totals(counts: PizzaCounts, *pizzas: str) -> dict[str, PizzaCount]:
    everything = counts.counts()
    return {pizza: everything[pizza] for pizza in pizzas if pizza in everything}


def test_a_pizza_never_ordered_has_no_count(counts: PizzaCounts) -> None:
    # Given a pizza nobody ordered
    pizza = new_id("Nessuna")

    # When the counts are read
    totals = counts.counts()

    # Then it is not among them
    assert pizza not in totals


def test_an_order_counts_once_for_each_of_its_pizzas(counts: PizzaCounts) -> None:
    # Given two pizzas never counted
    margherita, diavola = new_id("Margherita"), new_id("Diavola")

    # When an order of 2 of one and 1 of the other is counted
    outcome = counts.count_once(_order(new_id("order"), (margherita, 2), (diavola, 1)))

    # Then each pizza is in one order, with its quantity
    assert outcome is CountOutcome.COUNTED
    assert _totals(counts, margherita, diavola) == {margherita: PizzaCount(1, 2), diavola: PizzaCount(1, 1)}


def test_the_same_order_is_counted_once(counts: PizzaCounts) -> None:
    # Given an order that was counted
    pizza, order = new_id("Margherita"), new_id("order")
    counts.count_once(_order(order, (pizza, 2)))

    # When it is counted again (another event about it, a double click)
    outcome = counts.count_once(_order(order, (pizza, 2)))

    # Then it was counted already, and the totals are unchanged
    assert outcome is CountOutcome.ALREADY_COUNTED
    assert _totals(counts, pizza) == {pizza: PizzaCount(1, 2)}


def test_a_repeat_that_names_other_pizzas_counts_none_of_them(counts: PizzaCounts) -> None:
    # Given an order that was counted
    pizza, other_pizza, order = new_id("Margherita"), new_id("Marinara"), new_id("order")
    counts.count_once(_order(order, (pizza, 1)))

    # When an event about the same order names other pizzas
    outcome = counts.count_once(_order(order, (pizza, 3), (other_pizza, 1)))

    # Then nothing of it is counted: the counts are once per order, as a whole
    assert outcome is CountOutcome.ALREADY_COUNTED
    assert _totals(counts, pizza, other_pizza) == {pizza: PizzaCount(1, 1)}


def test_different_orders_of_the_same_pizza_add_up(counts: PizzaCounts) -> None:
    # Given a pizza counted in one order
    pizza = new_id("Margherita")
    counts.count_once(_order(new_id("order"), (pizza, 2)))

    # When another order of it is counted
    outcome = counts.count_once(_order(new_id("order"), (pizza, 3)))

    # Then it is in two orders, five pizzas
    assert outcome is CountOutcome.COUNTED
    assert _totals(counts, pizza) == {pizza: PizzaCount(2, 5)}


def test_an_order_of_the_most_different_pizzas_is_counted(counts: PizzaCounts) -> None:
    # Given an order of as many different pizzas as one order may have
    pizzas = [new_id(f"Pizza{n}") for n in range(MOST_PIZZAS_PER_ORDER)]

    # When it is counted
    outcome = counts.count_once(_order(new_id("order"), *((pizza, 1) for pizza in pizzas)))

    # Then every pizza is counted
    assert outcome is CountOutcome.COUNTED
    assert _totals(counts, *pizzas) == {pizza: PizzaCount(1, 1) for pizza in pizzas}


def test_an_order_of_more_different_pizzas_is_invalid_and_counts_nothing(counts: PizzaCounts) -> None:
    # Given an order of one different pizza more than an order may have
    pizzas = [new_id(f"Pizza{n}") for n in range(MOST_PIZZAS_PER_ORDER + 1)]
    order = new_id("order")

    # When it is counted
    # Then it is an invalid message (dead-lettered, never retried)
    with pytest.raises(InvalidMessage):
        counts.count_once(_order(order, *((pizza, 1) for pizza in pizzas)))
    # And none of its pizzas was counted, nor the order marked counted
    assert _totals(counts, *pizzas) == {}
    assert counts.count_once(_order(order, (pizzas[0], 1))) is CountOutcome.COUNTED
