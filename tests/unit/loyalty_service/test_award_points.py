"""Loyalty awards points once per order: one per whole euro, double for app orders."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from loyalty_service.domain import AwardOutcome, AwardPoints, PointsAward, SalesChannel, points_for
from loyalty_service.use_cases import AwardResult, award_points
from twins.loyalty import InMemoryLoyaltyAccounts

FIRST_DELIVERY = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
REDELIVERY = datetime(2025, 3, 14, 12, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("amount", "channel", "points"),
    [
        (Decimal("23.50"), SalesChannel.WEB, 23),
        (Decimal("23.99"), SalesChannel.PHONE, 23),
        (Decimal("23.50"), SalesChannel.APP, 46),
        (Decimal("23.50"), None, 23),
        (Decimal("0.99"), SalesChannel.APP, 0),
        (Decimal("20"), None, 20),
    ],
    ids=["web", "phone rounds down", "app doubles", "no channel (v1) is standard", "under one euro", "whole"],
)
def test_points_are_one_per_whole_euro_and_double_in_the_app(
    amount: Decimal, channel: SalesChannel | None, points: int
) -> None:
    # Given an order amount and channel / When its points are worked out / Then the rule applies
    assert points_for(amount, channel) == points


def test_a_confirmed_app_order_adds_double_points_to_the_customer() -> None:
    # Given a customer with no points
    accounts = InMemoryLoyaltyAccounts()

    # When an app order of EUR 23.50 is confirmed (v2)
    result = award_points(
        AwardPoints("order-1", "customer-7", Decimal("23.50"), SalesChannel.APP), accounts, lambda: FIRST_DELIVERY
    )

    # Then 46 points are awarded, and recorded against the order
    assert result == AwardResult("order-1", 46, AwardOutcome.AWARDED)
    assert accounts.balance("customer-7") == 46
    assert accounts.awards == {"order-1": PointsAward("order-1", "customer-7", 46, FIRST_DELIVERY)}


def test_a_v1_order_without_a_channel_earns_the_standard_rate() -> None:
    # Given a v1 order (no sales channel) / When confirmed
    accounts = InMemoryLoyaltyAccounts()
    award_points(AwardPoints("order-1", "customer-7", Decimal("23.5")), accounts, lambda: FIRST_DELIVERY)

    # Then it earns the standard rate
    assert accounts.balance("customer-7") == 23


def test_an_order_delivered_twice_is_awarded_once() -> None:
    # Given an order whose points were awarded
    accounts = InMemoryLoyaltyAccounts()
    command = AwardPoints("order-1", "customer-7", Decimal("10.00"), SalesChannel.WEB)
    award_points(command, accounts, lambda: FIRST_DELIVERY)

    # When the same order arrives again
    result = award_points(command, accounts, lambda: REDELIVERY)

    # Then the balance is unchanged and the first award stands
    assert result.outcome is AwardOutcome.ALREADY_AWARDED
    assert accounts.balance("customer-7") == 10
    assert accounts.awards["order-1"].awarded_at == FIRST_DELIVERY


def test_points_from_different_orders_add_up() -> None:
    # Given two orders from the same customer / When both are confirmed
    accounts = InMemoryLoyaltyAccounts()
    award_points(AwardPoints("order-1", "customer-7", Decimal("10.00"), SalesChannel.WEB), accounts, lambda: REDELIVERY)
    award_points(AwardPoints("order-2", "customer-7", Decimal("5.00"), SalesChannel.APP), accounts, lambda: REDELIVERY)

    # Then the balance holds both awards; another customer has none
    assert accounts.balance("customer-7") == 20
    assert accounts.balance("customer-8") == 0
