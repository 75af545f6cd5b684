"""Contract of the Deliveries port: its twin and its DynamoDB adapter store a delivery once per order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from contract_support import DYNAMODB, IMPLEMENTATIONS, emulator, new_id

from delivery_service.domain import Address, Delivery, DeliveryStatus
from delivery_service.dynamodb_deliveries import DynamoDbDeliveries
from delivery_service.ports import Deliveries
from twins.delivery import InMemoryDeliveries

DUE_AT = datetime(2025, 3, 14, 19, 30, tzinfo=UTC)
CREATED_AT = datetime(2025, 3, 14, 18, 45, tzinfo=UTC)


@dataclass
class Stored:
    """The port, and how a test sees the postcode the stored delivery of an order goes to."""

    deliveries: Deliveries
    postcode: Callable[[str], str | None]


@pytest.fixture(params=IMPLEMENTATIONS)
def stored(request: pytest.FixtureRequest) -> Stored:
    if request.param == DYNAMODB:
        aws = emulator(request)
        table = aws.table("deliveries")

        def stored_postcode(order_id: str) -> str | None:
            item = aws.dynamodb.get_item(TableName=table, Key={"orderId": {"S": order_id}}, ConsistentRead=True)
            return item["Item"]["postcode"]["S"] if "Item" in item else None

        return Stored(DynamoDbDeliveries(aws.dynamodb, table), stored_postcode)
    twin = InMemoryDeliveries()

    def kept_postcode(order_id: str) -> str | None:
        delivery = twin.deliveries.get(order_id)
        return delivery.address.postcode if delivery else None

    return Stored(twin, kept_postcode)


def _delivery(order_id: str, postcode: str = "80100", line2: str | None = None) -> Delivery:
    address = Address("1 Crust Street", "Naples", postcode, line2)
    return Delivery(order_id, new_id("customer"), address, DUE_AT, DeliveryStatus.SCHEDULED, CREATED_AT)


def test_the_first_delivery_of_an_order_is_stored(stored: Stored) -> None:
    # Given an order with no delivery
    order = new_id("order")

    # When its delivery is added
    added = stored.deliveries.add_if_absent(_delivery(order))

    # Then this call stored it
    assert added is True
    assert stored.postcode(order) == "80100"


def test_a_second_delivery_of_the_same_order_is_not_stored(stored: Stored) -> None:
    # Given an order whose delivery is stored
    order = new_id("order")
    stored.deliveries.add_if_absent(_delivery(order, postcode="80100"))

    # When another delivery of the same order is added (another event about it), to another postcode
    added = stored.deliveries.add_if_absent(_delivery(order, postcode="80121"))

    # Then it is not stored: the first one stands
    assert added is False
    assert stored.postcode(order) == "80100"


def test_deliveries_of_different_orders_are_each_stored(stored: Stored) -> None:
    # Given one order's delivery is stored
    stored.deliveries.add_if_absent(_delivery(new_id("order")))

    # When another order's delivery is added
    added = stored.deliveries.add_if_absent(_delivery(new_id("order")))

    # Then it is stored too
    assert added is True


def test_an_address_with_a_second_line_is_stored(stored: Stored) -> None:
    # Given an order to deliver to an address with a second line
    order = new_id("order")

    # When its delivery is added
    added = stored.deliveries.add_if_absent(_delivery(order, line2="Flat 2"))

    # Then it is stored
    assert added is True
    assert stored.postcode(order) == "80100"
