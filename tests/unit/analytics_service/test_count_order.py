"""Analytics counts, per pizza, the orders it appears in and how many were ordered."""

from __future__ import annotations

from analytics_service.domain import (
    CountedOrder,
    CountOrder,
    CountOutcome,
    OrderLine,
    PizzaCount,
    PizzaInOrder,
)
from analytics_service.use_cases import CountResult, count_order
from twins.analytics import InMemoryPizzaCounts


def test_each_pizza_in_an_order_counts_one_order_and_its_quantity() -> None:
    # Given no counts yet
    counts = InMemoryPizzaCounts()

    # When an order of two Margheritas and a Diavola is counted
    result = count_order(CountOrder("order-1", (OrderLine("Margherita", 2), OrderLine("Diavola", 1))), counts)

    # Then each pizza has one order, with its quantity
    order = CountedOrder("order-1", (PizzaInOrder("Margherita", 2), PizzaInOrder("Diavola", 1)))
    assert result == CountResult(order, CountOutcome.COUNTED)
    assert counts.counts() == {"Margherita": PizzaCount(orders=1, pizzas=2), "Diavola": PizzaCount(orders=1, pizzas=1)}


def test_a_pizza_on_two_lines_of_one_order_counts_that_order_once() -> None:
    # Given an order that lists Margherita twice / When counted
    counts = InMemoryPizzaCounts()
    count_order(CountOrder("order-1", (OrderLine("Margherita", 1), OrderLine("Margherita", 3))), counts)

    # Then it is one order of four Margheritas
    assert counts.counts() == {"Margherita": PizzaCount(orders=1, pizzas=4)}


def test_counts_add_up_across_orders() -> None:
    # Given three orders
    counts = InMemoryPizzaCounts()
    count_order(CountOrder("order-1", (OrderLine("Margherita", 2), OrderLine("Diavola", 1))), counts)
    count_order(CountOrder("order-2", (OrderLine("Margherita", 1),)), counts)
    count_order(CountOrder("order-3", (OrderLine("Quattro Formaggi", 5), OrderLine("Diavola", 2))), counts)

    # Then each pizza's totals cover every order it was in
    assert counts.counts() == {
        "Margherita": PizzaCount(orders=2, pizzas=3),
        "Diavola": PizzaCount(orders=2, pizzas=3),
        "Quattro Formaggi": PizzaCount(orders=1, pizzas=5),
    }


def test_a_second_event_about_the_same_order_counts_nothing() -> None:
    # Given an order that was counted
    counts = InMemoryPizzaCounts()
    command = CountOrder("order-1", (OrderLine("Margherita", 2),))
    count_order(command, counts)

    # When the same order arrives again, in another event (a double click, a retried call)
    result = count_order(command, counts)

    # Then it is reported as counted already, and the totals are unchanged
    assert result.outcome is CountOutcome.ALREADY_COUNTED
    assert counts.counts() == {"Margherita": PizzaCount(orders=1, pizzas=2)}
    assert counts.counted_orders == {"order-1"}


def test_another_order_of_the_same_pizzas_still_counts() -> None:
    # Given a counted order of two Margheritas
    counts = InMemoryPizzaCounts()
    count_order(CountOrder("order-1", (OrderLine("Margherita", 2),)), counts)

    # When another order of the same pizzas is counted
    result = count_order(CountOrder("order-2", (OrderLine("Margherita", 2),)), counts)

    # Then it counts: orders are told apart by their id, not by what is in them
    assert result.outcome is CountOutcome.COUNTED
    assert counts.counts() == {"Margherita": PizzaCount(orders=2, pizzas=4)}
