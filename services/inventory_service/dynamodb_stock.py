"""Stock in DynamoDB: one item per pizza, one reservation item per order, changed together in transactions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from integration_patterns.dynamodb_writes import (
    is_condition_cancellation,
    is_conditional_check_failure,
    put_if_absent_with,
)
from integration_patterns.runtime import utc_now
from inventory_service.domain import OutOfStock, ReleaseOutcome, ReservationOutcome
from inventory_service.ports import StockLedger

RESERVED, RELEASED = "RESERVED", "RELEASED"
# A top-up races with reservations; it re-reads and tries again this often before giving up.
_TOP_UP_TRIES = 5


class DynamoDbStockLedger(StockLedger):
    """``stock_table``: pizza -> stock. ``reservations_table``: orderId -> the quantities reserved.

    A pizza with no item yet has ``initial_stock``, so a new deployment needs no seeding: the first
    reservation writes the item.
    """

    def __init__(
        self,
        dynamodb_client: Any,
        stock_table: str,
        reservations_table: str,
        initial_stock: int,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._dynamodb = dynamodb_client
        self._stock = stock_table
        self._reservations = reservations_table
        self._initial = initial_stock
        self._now = now

    def reserve(self, order_id: str, quantities: Mapping[str, int]) -> ReservationOutcome:
        pizzas = list(quantities)
        reservation = {
            "orderId": {"S": order_id},
            "status": {"S": RESERVED},
            "lines": {"M": {pizza: {"N": str(quantity)} for pizza, quantity in quantities.items()}},
            "reservedAt": {"S": self._now().isoformat()},
        }
        takes = [self._take(pizza, quantity) for pizza, quantity in quantities.items()]
        try:
            created = put_if_absent_with(self._dynamodb, self._reservations, reservation, "orderId", also=takes)
        except ClientError as error:
            # The reservation is action 0; each pizza's take follows, in order.
            short = [pizza for index, pizza in enumerate(pizzas, start=1) if is_condition_cancellation(error, index)]
            if short:
                raise OutOfStock(short[0]) from error
            raise
        return ReservationOutcome.RESERVED if created else ReservationOutcome.ALREADY_RESERVED

    def release(self, order_id: str) -> ReleaseOutcome:
        found = self._dynamodb.get_item(
            TableName=self._reservations, Key={"orderId": {"S": order_id}}, ConsistentRead=True
        ).get("Item")
        if found is None:
            return ReleaseOutcome.NOTHING_RESERVED
        if found["status"]["S"] != RESERVED:
            return ReleaseOutcome.ALREADY_RELEASED
        lines = {pizza: int(value["N"]) for pizza, value in found["lines"]["M"].items()}
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._reservations,
                    "Key": {"orderId": {"S": order_id}},
                    "UpdateExpression": "SET #status = :released, releasedAt = :at",
                    "ConditionExpression": "#status = :reserved",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": {
                        ":released": {"S": RELEASED},
                        ":reserved": {"S": RESERVED},
                        ":at": {"S": self._now().isoformat()},
                    },
                }
            }
        ]
        items += [self._give_back(pizza, quantity) for pizza, quantity in lines.items()]
        try:
            self._dynamodb.transact_write_items(TransactItems=items)
        except ClientError as error:
            if is_condition_cancellation(error, action_index=0):
                return ReleaseOutcome.ALREADY_RELEASED  # a concurrent release won
            raise
        return ReleaseOutcome.RELEASED

    def levels(self, pizzas: Iterable[str]) -> dict[str, int]:
        return {pizza: self._level(pizza) for pizza in pizzas}

    def top_up(self, pizza: str, level: int) -> tuple[int, int]:
        for _ in range(_TOP_UP_TRIES):
            item = self._item(pizza)
            before = int(item["stock"]["N"]) if item else self._initial
            if before >= level:
                return before, before
            # Only if nothing reserved in between: otherwise read again and recompute.
            condition, values = (
                ("stock = :before", {":before": {"N": str(before)}}) if item else ("attribute_not_exists(stock)", {})
            )
            try:
                self._dynamodb.update_item(
                    TableName=self._stock,
                    Key={"pizza": {"S": pizza}},
                    UpdateExpression="SET stock = :level",
                    ConditionExpression=condition,
                    ExpressionAttributeValues={":level": {"N": str(level)}, **values},
                )
            except ClientError as error:
                if not is_conditional_check_failure(error):
                    raise
                continue
            return before, level
        raise RuntimeError(f"the stock of {pizza} kept changing while it was topped up; try again")

    def _take(self, pizza: str, quantity: int) -> dict[str, Any]:
        # A pizza never stocked yet has the initial stock: enough if the initial stock covers it.
        enough = "stock >= :qty" if quantity > self._initial else "attribute_not_exists(stock) OR stock >= :qty"
        return self._stock_update(pizza, "if_not_exists(stock, :initial) - :qty", quantity, enough)

    def _give_back(self, pizza: str, quantity: int) -> dict[str, Any]:
        return self._stock_update(pizza, "if_not_exists(stock, :initial) + :qty", quantity, None)

    def _stock_update(self, pizza: str, new_stock: str, quantity: int, condition: str | None) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self._stock,
            "Key": {"pizza": {"S": pizza}},
            "UpdateExpression": f"SET stock = {new_stock}",
            "ExpressionAttributeValues": {":qty": {"N": str(quantity)}, ":initial": {"N": str(self._initial)}},
        }
        if condition:
            update["ConditionExpression"] = condition
        return {"Update": update}

    def _item(self, pizza: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._dynamodb.get_item(
            TableName=self._stock, Key={"pizza": {"S": pizza}}, ConsistentRead=True
        ).get("Item")
        return found

    def _level(self, pizza: str) -> int:
        item = self._item(pizza)
        return int(item["stock"]["N"]) if item else self._initial
