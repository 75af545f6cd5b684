"""Contract of the StockLedger port: its twin and its DynamoDB adapter alike.

Pizzas here are made-up names, one per test, so each test has stock of its own in the shared table.
"""

from __future__ import annotations

import pytest
from contract_support import DYNAMODB, IMPLEMENTATIONS, emulator, new_id

from inventory_service.domain import OutOfStock, ReleaseOutcome, ReservationOutcome
from inventory_service.dynamodb_stock import DynamoDbStockLedger
from inventory_service.ports import StockLedger
from twins.inventory import InMemoryStockLedger

INITIAL = 10


@pytest.fixture(params=IMPLEMENTATIONS)
def stock(request: pytest.FixtureRequest) -> StockLedger:
    if request.param == DYNAMODB:
        aws = emulator(request)
        return DynamoDbStockLedger(
            aws.dynamodb, aws.table("inventory-stock"), aws.table("inventory-reservations"), INITIAL
        )
    return InMemoryStockLedger(initial_stock=INITIAL)


def test_a_pizza_never_stocked_has_the_initial_stock_and_a_reservation_takes_from_it(stock: StockLedger) -> None:
    # Given two pizzas nothing touched yet
    first, second = new_id("pizza"), new_id("pizza")
    assert stock.levels([first, second]) == {first: INITIAL, second: INITIAL}

    # When an order reserves 3 of one and 10 of the other
    outcome = stock.reserve(new_id("order"), {first: 3, second: 10})

    # Then both are taken, all at once
    assert outcome is ReservationOutcome.RESERVED
    assert stock.levels([first, second]) == {first: 7, second: 0}


def test_a_repeated_reservation_takes_nothing_more(stock: StockLedger) -> None:
    # Given an order that reserved 4
    pizza, order = new_id("pizza"), new_id("order")
    stock.reserve(order, {pizza: 4})

    # When it reserves again (a replayed step) / Then it is already reserved, and the stock is unchanged
    assert stock.reserve(order, {pizza: 4}) is ReservationOutcome.ALREADY_RESERVED
    assert stock.levels([pizza]) == {pizza: 6}


def test_a_reservation_short_of_one_pizza_takes_nothing_and_names_it(stock: StockLedger) -> None:
    # Given plenty of one pizza and too little of another
    plenty, short, order = new_id("pizza"), new_id("pizza"), new_id("order")

    # When an order asks for both / Then it is out of stock, naming the short one, and nothing moved
    with pytest.raises(OutOfStock) as refused:
        stock.reserve(order, {plenty: 2, short: INITIAL + 1})
    assert refused.value.pizza == short
    assert stock.levels([plenty, short]) == {plenty: INITIAL, short: INITIAL}
    # And the order is not reserved: a smaller order under the same id may still reserve
    assert stock.reserve(order, {plenty: 2}) is ReservationOutcome.RESERVED


def test_a_release_gives_the_stock_back_once(stock: StockLedger) -> None:
    # Given an order that reserved 5
    pizza, order = new_id("pizza"), new_id("order")
    stock.reserve(order, {pizza: 5})

    # When it is released twice (a replayed compensation)
    first, second = stock.release(order), stock.release(order)

    # Then the stock came back once
    assert (first, second) == (ReleaseOutcome.RELEASED, ReleaseOutcome.ALREADY_RELEASED)
    assert stock.levels([pizza]) == {pizza: INITIAL}


def test_releasing_an_order_that_reserved_nothing_changes_nothing(stock: StockLedger) -> None:
    # Given an order that never reserved / When it is released / Then there was nothing to release
    assert stock.release(new_id("order")) is ReleaseOutcome.NOTHING_RESERVED


def test_a_top_up_raises_the_stock_to_a_level_and_never_lowers_it(stock: StockLedger) -> None:
    # Given a pizza down to 7
    pizza = new_id("pizza")
    stock.reserve(new_id("order"), {pizza: 3})

    # When it is topped up to 50, then to 20
    raised, kept = stock.top_up(pizza, 50), stock.top_up(pizza, 20)

    # Then the first raised it, the second left it
    assert raised == (7, 50)
    assert kept == (50, 50)
    assert stock.levels([pizza]) == {pizza: 50}
