"""Payments in DynamoDB: one item per order, each status change a conditional write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from integration_patterns.dynamodb_writes import is_conditional_check_failure
from integration_patterns.runtime import utc_now
from payment_service.domain import (
    Amount,
    ChargeOutcome,
    Payment,
    PaymentDeclined,
    PaymentStatus,
    RefundOutcome,
)
from payment_service.ports import PaymentLedger


class DynamoDbPayments(PaymentLedger):
    def __init__(self, dynamodb_client: Any, table_name: str, now: Callable[[], datetime] = utc_now) -> None:
        self._dynamodb = dynamodb_client
        self._table = table_name
        self._now = now

    def charge(self, order_id: str, customer_id: str, amount: Amount) -> ChargeOutcome:
        if self._create(order_id, customer_id, amount, PaymentStatus.CHARGED, {"chargedAt": self._now().isoformat()}):
            return ChargeOutcome.CHARGED
        stored = self.get(order_id)
        if stored is not None and stored.status is PaymentStatus.DECLINED:
            raise PaymentDeclined(stored.reason or "declined")
        return ChargeOutcome.ALREADY_CHARGED

    def record_decline(self, order_id: str, customer_id: str, amount: Amount, reason: str) -> str:
        extra = {"declinedAt": self._now().isoformat(), "reason": reason}
        if self._create(order_id, customer_id, amount, PaymentStatus.DECLINED, extra):
            return reason
        stored = self.get(order_id)
        return stored.reason if stored is not None and stored.reason else reason

    def refund(self, order_id: str) -> RefundOutcome:
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"orderId": {"S": order_id}},
                UpdateExpression="SET #status = :refunded, refundedAt = :at",
                ConditionExpression="#status = :charged",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":refunded": {"S": PaymentStatus.REFUNDED.value},
                    ":charged": {"S": PaymentStatus.CHARGED.value},
                    ":at": {"S": self._now().isoformat()},
                },
            )
        except ClientError as error:
            if not is_conditional_check_failure(error):
                raise
            stored = self.get(order_id)
            if stored is not None and stored.status is PaymentStatus.REFUNDED:
                return RefundOutcome.ALREADY_REFUNDED
            return RefundOutcome.NOTHING_CHARGED
        return RefundOutcome.REFUNDED

    def get(self, order_id: str) -> Payment | None:
        item = self._dynamodb.get_item(
            TableName=self._table, Key={"orderId": {"S": order_id}}, ConsistentRead=True
        ).get("Item")
        if item is None:
            return None
        return Payment(
            order_id=order_id,
            customer_id=item["customerId"]["S"],
            amount=Amount(item["currency"]["S"], int(item["minorUnits"]["N"])),
            status=PaymentStatus(item["status"]["S"]),
            reason=item.get("reason", {}).get("S"),
        )

    def _create(
        self, order_id: str, customer_id: str, amount: Amount, status: PaymentStatus, extra: dict[str, str]
    ) -> bool:
        item = {
            "orderId": {"S": order_id},
            "customerId": {"S": customer_id},
            "currency": {"S": amount.currency},
            "minorUnits": {"N": str(amount.minor_units)},
            "status": {"S": status.value},
            **{name: {"S": value} for name, value in extra.items()},
        }
        try:
            self._dynamodb.put_item(
                TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(orderId)"
            )
        except ClientError as error:
            if is_conditional_check_failure(error):
                return False
            raise
        return True
