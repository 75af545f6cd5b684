"""The loyalty accounts' DynamoDB adapter: one transaction per award, and a repeat adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from loyalty_service.domain import AwardOutcome, PointsAward
from loyalty_service.dynamodb_loyalty_accounts import DynamoDbLoyaltyAccounts

AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


class MarkerTable:
    """Runs TransactWriteItems as DynamoDB would for these awards: the marker's create-once condition
    cancels the whole transaction when an award for the order exists already."""

    def __init__(self) -> None:
        self.markers: set[str] = set()
        self.points: dict[str, int] = {}

    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        marker, *updates = TransactItems
        key = marker["Put"]["Item"]["pk"]["S"]
        if key in self.markers:
            reasons = [{"Code": "ConditionalCheckFailed"}] + [{"Code": "None"} for _ in updates]
            raise ClientError(
                {"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": reasons},  # type: ignore[typeddict-unknown-key]
                "TransactWriteItems",
            )
        self.markers.add(key)
        for update in updates:
            customer = update["Update"]["Key"]["pk"]["S"]
            added = int(update["Update"]["ExpressionAttributeValues"][":points"]["N"])
            self.points[customer] = self.points.get(customer, 0) + added
        return {}


def test_an_award_adds_its_points_once_and_a_repeat_for_the_order_is_already_awarded() -> None:
    # Given an account table
    table = MarkerTable()
    accounts = DynamoDbLoyaltyAccounts(table, "loyalty-accounts")
    award = PointsAward("o-1", "c-1", 17, AT)

    # When the same order's award is made twice
    outcomes = [accounts.award(award), accounts.award(award)]

    # Then the first adds the points in the marker's transaction, the second changes nothing
    assert outcomes == [AwardOutcome.AWARDED, AwardOutcome.ALREADY_AWARDED]
    assert table.points == {"CUSTOMER#c-1": 17}
    assert table.markers == {"AWARD#o-1"}
