"""Contract of the KitchenOrderRepository port: its twin and its DynamoDB adapter alike.

The port only writes, so each case says how a test sees what was stored: the customer, and when
the order was alerted and is due (None where not set).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

import pytest
from contract_support import DYNAMODB, IMPLEMENTATIONS, emulator, new_id

from kitchen_service.adapters.dynamodb_kitchen_order_repository import DynamoDbKitchenOrderRepository
from kitchen_service.domain.delivery_alert import AlertOutcome, DeliveryAlert
from kitchen_service.domain.kitchen_order import Dish, KitchenOrder
from kitchen_service.ports import KitchenOrderRepository
from twins.kitchen import InMemoryKitchenOrderRepository

RECEIVED_AT = datetime(2025, 3, 14, 18, 0, tzinfo=UTC)
FIRST_ALERT_AT = datetime(2025, 3, 14, 19, 0, tzinfo=UTC)
SECOND_ALERT_AT = datetime(2025, 3, 14, 19, 5, tzinfo=UTC)
DUE_AT = datetime(2025, 3, 14, 19, 30, tzinfo=UTC)
LATER_DUE_AT = datetime(2025, 3, 14, 20, 0, tzinfo=UTC)


class Seen(NamedTuple):
    customer_id: str
    alerted_at: datetime | None
    due_at: datetime | None


@dataclass
class Kitchen:
    orders: KitchenOrderRepository
    stored: Callable[[str], Seen | None]


@pytest.fixture(params=IMPLEMENTATIONS)
def kitchen(request: pytest.FixtureRequest) -> Kitchen:
    if request.param == DYNAMODB:
        aws = emulator(request)
        table = aws.table("kitchen-orders")

        def read_item(order_id: str) -> Seen | None:
            item = aws.dynamodb.get_item(TableName=table, Key={"orderId": {"S": order_id}}, ConsistentRead=True)
            if "Item" not in item:
                return None
            found = item["Item"]
            alerted_at, due_at = found.get("alertedAt", {}).get("S"), found.get("dueAt", {}).get("S")
            return Seen(
                found["customerId"]["S"],
                datetime.fromisoformat(alerted_at) if alerted_at else None,
                datetime.fromisoformat(due_at) if due_at else None,
            )

        return Kitchen(DynamoDbKitchenOrderRepository(aws.dynamodb, table), read_item)
    twin = InMemoryKitchenOrderRepository()

    def kept(order_id: str) -> Seen | None:
        order = twin.orders.get(order_id)
        return Seen(order.customer_id, order.alerted_at, order.due_at) if order else None

    return Kitchen(twin, kept)


def _order(order_id: str, customer_id: str = "customer-k") -> KitchenOrder:
    return KitchenOrder(order_id, customer_id, (Dish("Margherita", 2), Dish("Diavola", 1)), RECEIVED_AT)


def test_a_new_order_is_stored(kitchen: Kitchen) -> None:
    # Given an order the kitchen does not have
    order = new_id("order")

    # When it is added
    added = kitchen.orders.add_if_absent(_order(order, "customer-1"))

    # Then this call stored it, not yet alerted
    assert added is True
    assert kitchen.stored(order) == Seen("customer-1", None, None)


def test_an_order_added_again_is_not_stored_again(kitchen: Kitchen) -> None:
    # Given an order the kitchen has
    order = new_id("order")
    kitchen.orders.add_if_absent(_order(order, "customer-1"))

    # When an order with the same id is added (a redelivery), naming another customer
    added = kitchen.orders.add_if_absent(_order(order, "customer-2"))

    # Then it is not stored: the first one stands
    assert added is False
    assert kitchen.stored(order) == Seen("customer-1", None, None)


def test_an_alert_for_a_stored_order_is_raised(kitchen: Kitchen) -> None:
    # Given an order the kitchen has
    order = new_id("order")
    kitchen.orders.add_if_absent(_order(order))

    # When its delivery alert arrives
    outcome = kitchen.orders.mark_alerted(DeliveryAlert(order, DUE_AT), FIRST_ALERT_AT)

    # Then it is raised: the order is flagged with when, and when it is due
    assert outcome is AlertOutcome.RAISED
    assert kitchen.stored(order) == Seen("customer-k", FIRST_ALERT_AT, DUE_AT)


def test_an_alert_raised_again_changes_nothing(kitchen: Kitchen) -> None:
    # Given an order whose alert was raised
    order = new_id("order")
    kitchen.orders.add_if_absent(_order(order))
    kitchen.orders.mark_alerted(DeliveryAlert(order, DUE_AT), FIRST_ALERT_AT)

    # When an alert for it arrives again, later and with another due time
    outcome = kitchen.orders.mark_alerted(DeliveryAlert(order, LATER_DUE_AT), SECOND_ALERT_AT)

    # Then it was raised already, and the first alert's times stand
    assert outcome is AlertOutcome.ALREADY_RAISED
    assert kitchen.stored(order) == Seen("customer-k", FIRST_ALERT_AT, DUE_AT)


def test_an_alert_for_an_order_the_kitchen_never_received_stores_nothing(kitchen: Kitchen) -> None:
    # Given an order the kitchen does not have
    order = new_id("order")

    # When an alert for it arrives
    outcome = kitchen.orders.mark_alerted(DeliveryAlert(order, DUE_AT), FIRST_ALERT_AT)

    # Then the order is unknown, and no order is made up for it
    assert outcome is AlertOutcome.UNKNOWN_ORDER
    assert kitchen.stored(order) is None


def test_an_order_added_again_after_its_alert_keeps_the_alert(kitchen: Kitchen) -> None:
    # Given an order whose alert was raised
    order = new_id("order")
    kitchen.orders.add_if_absent(_order(order))
    kitchen.orders.mark_alerted(DeliveryAlert(order, DUE_AT), FIRST_ALERT_AT)

    # When the order itself is redelivered
    added = kitchen.orders.add_if_absent(_order(order))

    # Then it is not stored again, and the alert is not lost
    assert added is False
    assert kitchen.stored(order) == Seen("customer-k", FIRST_ALERT_AT, DUE_AT)
