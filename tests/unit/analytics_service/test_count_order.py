"""Analytics counts, per pizza, the orders it appears in and how many were ordered."""

from __future__ import annotations

from analytics_service.adapters.in_memory import InMemoryPizzaCounts
from analytics_service.domain.pizza_counts import CountedOrder, CountOrder, OrderLine, PizzaCount, PizzaInOrder
from analytics_service.use_cases import count_order


def test_each_pizza_in_an_order_counts_one_order_and_its_quantity() -> None:
    # Given no counts yet
    counts = InMemoryPizzaCounts()

    # When an order of two Margheritas and a Diavola is counted
    counted = count_order(CountOrder("order-1", (OrderLine("Margherita", 2), OrderLine("Diavola", 1))), counts)

    # Then each pizza has one order, with its quantity
    assert counted == CountedOrder("order-1", (PizzaInOrder("Margherita", 2), PizzaInOrder("Diavola", 1)))
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
