"""Loyalty accounts in one DynamoDB table: a CUSTOMER# item per balance, an AWARD# item per order."""

from __future__ import annotations

from typing import Any

from integration_patterns.dynamodb_writes import put_if_absent_with
from loyalty_service.domain import AwardOutcome, PointsAward
from loyalty_service.ports import LoyaltyAccounts


def customer_key(customer_id: str) -> str:
    return f"CUSTOMER#{customer_id}"


def award_key(order_id: str) -> str:
    return f"AWARD#{order_id}"


class DynamoDbLoyaltyAccounts(LoyaltyAccounts):
    def __init__(self, dynamodb_client: Any, table_name: str) -> None:
        self._dynamodb = dynamodb_client
        self._table = table_name

    def award(self, award: PointsAward) -> AwardOutcome:
        # One transaction: the AWARD item exists only if the points were added, and its create-once
        # condition stops a second event about the same order from adding them twice.
        award_item = {
            "pk": {"S": award_key(award.order_id)},
            "customerId": {"S": award.customer_id},
            "points": {"N": str(award.points)},
            "awardedAt": {"S": award.awarded_at.isoformat()},
        }
        add_points = {
            "Update": {
                "TableName": self._table,
                "Key": {"pk": {"S": customer_key(award.customer_id)}},
                "UpdateExpression": "ADD #points :points",
                "ExpressionAttributeNames": {"#points": "points"},
                "ExpressionAttributeValues": {":points": {"N": str(award.points)}},
            }
        }
        awarded = put_if_absent_with(self._dynamodb, self._table, award_item, key_attribute="pk", also=[add_points])
        return AwardOutcome.AWARDED if awarded else AwardOutcome.ALREADY_AWARDED

    def balance(self, customer_id: str) -> int:
        response = self._dynamodb.get_item(
            TableName=self._table,
            Key={"pk": {"S": customer_key(customer_id)}},
            ProjectionExpression="#points",
            ExpressionAttributeNames={"#points": "points"},
            ConsistentRead=True,
        )
        points = response.get("Item", {}).get("points", {}).get("N")
        return int(points) if points is not None else 0
