"""Contract of the LoyaltyAccounts port: its twin and its DynamoDB adapter award points alike."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from contract_support import DYNAMODB, IMPLEMENTATIONS, emulator, new_id

from loyalty_service.domain import AwardOutcome, PointsAward
from loyalty_service.dynamodb_loyalty_accounts import DynamoDbLoyaltyAccounts
from loyalty_service.ports import LoyaltyAccounts
from twins.loyalty import InMemoryLoyaltyAccounts

AWARDED_AT = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)


@pytest.fixture(params=IMPLEMENTATIONS)
def accounts(request: pytest.FixtureRequest) -> LoyaltyAccounts:
    if request.param == DYNAMODB:
        aws = emulator(request)
        return DynamoDbLoyaltyAccounts(aws.dynamodb, aws.table("loyalty-accounts"))
    return InMemoryLoyaltyAccounts()


def _award(order_id: str, customer_id: str, points: int) -> PointsAward:
    return PointsAward(order_id, customer_id, points, AWARDED_AT)


def test_a_customer_without_awards_has_a_balance_of_zero(accounts: LoyaltyAccounts) -> None:
    # Given a customer who was never awarded anything
    customer = new_id("customer")

    # When their balance is read
    balance = accounts.balance(customer)

    # Then it is 0, not an error
    assert balance == 0


def test_a_first_award_for_an_order_adds_its_points(accounts: LoyaltyAccounts) -> None:
    # Given a customer with no points
    customer = new_id("customer")

    # When an order of theirs is awarded 23 points
    outcome = accounts.award(_award(new_id("order"), customer, 23))

    # Then the award is made, and the points are on their balance
    assert outcome is AwardOutcome.AWARDED
    assert accounts.balance(customer) == 23


def test_a_second_award_for_the_same_order_adds_nothing(accounts: LoyaltyAccounts) -> None:
    # Given an order whose points were awarded
    customer, order = new_id("customer"), new_id("order")
    accounts.award(_award(order, customer, 23))

    # When the same order is awarded again (a redelivery, or another event about it)
    outcome = accounts.award(_award(order, customer, 23))

    # Then it was already awarded, and the balance is unchanged
    assert outcome is AwardOutcome.ALREADY_AWARDED
    assert accounts.balance(customer) == 23


def test_an_award_is_once_per_order_whatever_the_second_award_says(accounts: LoyaltyAccounts) -> None:
    # Given an order whose points were awarded to its customer
    customer, other_customer, order = new_id("customer"), new_id("customer"), new_id("order")
    accounts.award(_award(order, customer, 23))

    # When an award for the same order names another customer and other points
    outcome = accounts.award(_award(order, other_customer, 50))

    # Then it was already awarded: neither customer's balance changes
    assert outcome is AwardOutcome.ALREADY_AWARDED
    assert accounts.balance(customer) == 23
    assert accounts.balance(other_customer) == 0


def test_awards_for_different_orders_add_up(accounts: LoyaltyAccounts) -> None:
    # Given a customer awarded points for one order
    customer = new_id("customer")
    accounts.award(_award(new_id("order"), customer, 23))

    # When another of their orders is awarded
    outcome = accounts.award(_award(new_id("order"), customer, 46))

    # Then both awards count
    assert outcome is AwardOutcome.AWARDED
    assert accounts.balance(customer) == 69


def test_balances_are_per_customer(accounts: LoyaltyAccounts) -> None:
    # Given two customers
    customer, other_customer = new_id("customer"), new_id("customer")

    # When one of them is awarded points
    accounts.award(_award(new_id("order"), customer, 12))

    # Then only that customer's balance changes
    assert accounts.balance(customer) == 12
    assert accounts.balance(other_customer) == 0


def test_an_award_of_no_points_is_still_made_once(accounts: LoyaltyAccounts) -> None:
    # Given an order that earned no points (under one currency unit)
    customer, order = new_id("customer"), new_id("order")

    # When it is awarded, twice
    first = accounts.award(_award(order, customer, 0))
    second = accounts.award(_award(order, customer, 0))

    # Then the first award is made, the second is a repeat, and the balance is 0
    assert (first, second) == (AwardOutcome.AWARDED, AwardOutcome.ALREADY_AWARDED)
    assert accounts.balance(customer) == 0
