"""What an order costs: money in cents, menu prices, an order's exact total, and that only the menu can be ordered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from order_service.domain.menu import HOUSE_CURRENCY, Money, NotOnTheMenu, is_on_the_menu, menu, price_of
from order_service.domain.order import Order, OrderItem, OrderType, PlaceOrder
from pizza_ops.system import load_system

PLACED_AT = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


def _order_of(*items: OrderItem) -> Order:
    command = PlaceOrder(customer_id="customer-7", items=items, order_type=OrderType.COLLECTION)
    return Order.place("order-1", command, PLACED_AT)


def test_amounts_add_up_exactly_in_cents() -> None:
    # Given ten cents and twenty cents (0.1 + 0.2 is not 0.3 in binary floating point)
    # When they are added / Then the sum is exactly thirty cents
    assert Money("EUR", 10) + Money("EUR", 20) == Money("EUR", 30)
    assert (Money("EUR", 10) + Money("EUR", 20)).decimal_text() == "0.30"


def test_amounts_in_different_currencies_cannot_be_added() -> None:
    # Given euros and pounds / When they are added / Then it is refused, naming both currencies
    with pytest.raises(ValueError, match=r"GBP.*EUR"):
        _ = Money("EUR", 100) + Money("GBP", 100)


def test_an_amount_times_a_quantity_keeps_its_currency() -> None:
    # Given 8.50 EUR / When taken three times / Then it is 25.50 EUR
    assert Money("EUR", 850).times(3) == Money("EUR", 2550)


@pytest.mark.parametrize(
    ("minor_units", "text"),
    [(2350, "23.50"), (2305, "23.05"), (5, "0.05"), (0, "0.00"), (100000, "1000.00")],
)
def test_an_amount_is_written_as_an_exact_decimal_string(minor_units: int, text: str) -> None:
    # Given an amount in cents / When written as text / Then it has exactly two decimals
    assert Money("EUR", minor_units).decimal_text() == text


@pytest.mark.parametrize(
    ("pizza", "cents"),
    [("Margherita", 850), ("Marinara", 750), ("Diavola", 1100), ("Quattro Formaggi", 1150)],
)
def test_a_menu_pizza_costs_its_menu_price(pizza: str, cents: int) -> None:
    # Given a pizza on the menu / When priced / Then it costs its menu price in the house currency
    assert price_of(pizza) == Money(HOUSE_CURRENCY, cents)


@pytest.mark.parametrize("pizza", ["Hawaiian", "Pineapple Surprise", "margherita", "Margherita "])
def test_a_pizza_not_on_the_menu_has_no_price(pizza: str) -> None:
    # Given a pizza the menu does not list (names are exact: "margherita" is not the menu's Margherita)
    # When it is priced / Then it is refused: there is no house price for whatever is asked for
    assert not is_on_the_menu(pizza)
    with pytest.raises(NotOnTheMenu):
        price_of(pizza)


def test_the_kitchens_demo_fault_pizza_is_on_the_menu_so_it_can_be_ordered() -> None:
    # Given the pizza the kitchen's oven is declared unable to make (the demo fault in infra/system.yaml)
    declared = load_system().functions["kitchen-processor"].environment["UNCOOKABLE_PIZZA"]
    uncookable = getattr(declared, "value", None)
    assert isinstance(uncookable, str) and uncookable

    # When the menu is read / Then it lists that pizza, with a price, so the fault can still be triggered
    assert uncookable in menu()
    assert price_of(uncookable).minor_units > 0


def test_an_order_total_is_the_sum_of_its_items_in_exact_cents() -> None:
    # Given two Margheritas (8.50), one Diavola (11.00) and three Marinaras (7.50)
    # When the order is placed
    order = _order_of(OrderItem("Margherita", 2), OrderItem("Diavola", 1), OrderItem("Marinara", 3))

    # Then its total is 17.00 + 11.00 + 22.50 = 50.50 EUR, to the cent
    assert order.total == Money("EUR", 5050)
    assert order.total.decimal_text() == "50.50"


def test_an_order_with_a_pizza_not_on_the_menu_is_not_placed() -> None:
    # Given one Margherita and a pizza that is not on the menu
    # When the order is placed / Then the domain refuses it (the API refuses it earlier, naming the pizza)
    with pytest.raises(NotOnTheMenu):
        _order_of(OrderItem("Margherita", 1), OrderItem("Chef's Surprise", 2))
