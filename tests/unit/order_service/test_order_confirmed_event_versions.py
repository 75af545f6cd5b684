"""The order.confirmed event subscribers see: v1 and v2 amounts, a stable id, and the address encrypted."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from cloudevents.core.base import BaseCloudEvent

from integration_patterns.cloudevents_envelope import to_json
from order_service.adapters.order_confirmed_event import order_confirmed_event, order_confirmed_event_id
from order_service.domain.order import DeliveryAddress, Order, OrderItem, OrderType, PlaceOrder, SalesChannel

PLACED_AT = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
ACKNOWLEDGED_AT = datetime(2025, 3, 14, 12, 1, tzinfo=UTC)
ADDRESS = DeliveryAddress(line1="1 High Street", line2="Flat 2", city="Leeds", postcode="LS1 1AA")
KEY_ID = "alias/order-pii"


class RecordingEncryptor:
    """Stands in for the KMS field cipher: records what it was given and returns a fixed ciphertext."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []

    def __call__(self, plaintext: str, context: Mapping[str, str]) -> str:
        self.calls.append((plaintext, dict(context)))
        return "c2VhbGVkLWFkZHJlc3M="


def _confirmed(
    order_id: str = "order-1",
    order_type: OrderType = OrderType.DELIVERY,
    sales_channel: SalesChannel = SalesChannel.APP,
) -> Order:
    command = PlaceOrder(
        customer_id="customer-7",
        items=(OrderItem("Margherita", 2), OrderItem("Diavola", 1)),
        order_type=order_type,
        delivery_address=ADDRESS if order_type is OrderType.DELIVERY else None,
        sales_channel=sales_channel,
    )
    return Order.place(order_id, command, PLACED_AT).acknowledge(ACKNOWLEDGED_AT)


def _data_of(event: BaseCloudEvent) -> dict[str, Any]:
    data = event.get_data()
    assert isinstance(data, dict)
    return data


def test_v1_carries_the_amount_as_a_number_and_no_sales_channel() -> None:
    # Given a confirmed order of 28.00 EUR
    # When its v1 event is built
    event = order_confirmed_event(_confirmed(), 1, RecordingEncryptor(), KEY_ID)

    # Then it is a v1 event whose amount is a plain number in the house currency
    data = _data_of(event)
    assert event.get_type() == "com.pizza.order.confirmed.v1"
    assert data["amount"] == 28.0
    assert isinstance(data["amount"], float)
    assert "salesChannel" not in data


def test_v2_carries_the_amount_as_currency_and_decimal_string_and_the_sales_channel() -> None:
    # Given a confirmed order of 28.00 EUR placed in the app
    # When its v2 event is built
    event = order_confirmed_event(_confirmed(), 2, RecordingEncryptor(), KEY_ID)

    # Then the amount is exact and names its currency, and the channel is included
    data = _data_of(event)
    assert event.get_type() == "com.pizza.order.confirmed.v2"
    assert data["amount"] == {"currency": "EUR", "value": "28.00"}
    assert data["salesChannel"] == "app"


@pytest.mark.parametrize("version", [1, 2])
def test_both_versions_carry_the_order_facts_subscribers_need(version: int) -> None:
    # Given a confirmed delivery order / When its event is built in either version
    event = order_confirmed_event(_confirmed(), version, RecordingEncryptor(), KEY_ID)

    # Then it names the order and carries its facts
    data = _data_of(event)
    assert event.get_source() == "/pizza/order-service"
    assert event.get_subject() == "order-1"
    assert data["orderId"] == "order-1"
    assert data["customerId"] == "customer-7"
    assert data["orderType"] == "delivery"
    assert data["items"] == [{"pizza": "Margherita", "quantity": 2}, {"pizza": "Diavola", "quantity": 1}]
    assert data["confirmedAt"] == "2025-03-14T12:01:00+00:00"
    assert data["deliveryDueAt"] == "2025-03-14T12:45:00+00:00"


def test_the_event_id_is_the_same_every_time_the_order_is_announced() -> None:
    # Given one confirmed order
    order = _confirmed()

    # When its event is built twice (a re-announcement after a retry), even in different versions
    first = order_confirmed_event(order, 2, RecordingEncryptor(), KEY_ID)
    second = order_confirmed_event(order, 2, RecordingEncryptor(), KEY_ID)
    as_v1 = order_confirmed_event(order, 1, RecordingEncryptor(), KEY_ID)

    # Then it is the same event id, so subscribers' inboxes drop the repeat
    assert first.get_id() == second.get_id() == as_v1.get_id() == order_confirmed_event_id("order-1")


def test_different_orders_have_different_event_ids() -> None:
    # Given two confirmed orders / When their events are built / Then their ids differ
    one = order_confirmed_event(_confirmed("order-1"), 2, RecordingEncryptor(), KEY_ID)
    other = order_confirmed_event(_confirmed("order-2"), 2, RecordingEncryptor(), KEY_ID)
    assert one.get_id() != other.get_id()


def test_a_collection_order_has_no_delivery_address_and_nothing_is_encrypted() -> None:
    # Given a confirmed collection order
    encryptor = RecordingEncryptor()

    # When its event is built
    event = order_confirmed_event(_confirmed(order_type=OrderType.COLLECTION), 2, encryptor, KEY_ID)

    # Then the address is null, no due time is given, and the encryptor was not called
    data = _data_of(event)
    assert data["deliveryAddress"] is None
    assert data["deliveryDueAt"] is None
    assert encryptor.calls == []


def test_a_delivery_address_travels_only_as_ciphertext_bound_to_the_order() -> None:
    # Given a confirmed delivery order
    encryptor = RecordingEncryptor()

    # When its event is built
    event = order_confirmed_event(_confirmed(), 2, encryptor, KEY_ID)

    # Then the address is the encryptor's output, with the key it was sealed under
    data = _data_of(event)
    assert data["deliveryAddress"] == {"ciphertext": "c2VhbGVkLWFkZHJlc3M=", "keyId": KEY_ID}
    # And the encryptor got the address as JSON, bound to this order
    ((plaintext, context),) = encryptor.calls
    assert json.loads(plaintext) == {
        "line1": "1 High Street",
        "line2": "Flat 2",
        "city": "Leeds",
        "postcode": "LS1 1AA",
    }
    assert context == {"orderId": "order-1"}


def test_the_serialized_event_contains_no_part_of_the_address() -> None:
    # Given a confirmed delivery order's event
    event = order_confirmed_event(_confirmed(), 2, RecordingEncryptor(), KEY_ID)

    # When it is serialized as it is published
    body = to_json(event)

    # Then no part of the plaintext address is in it
    for part in ("High Street", "Flat 2", "Leeds", "LS1 1AA"):
        assert part not in body


@pytest.mark.parametrize("version", [0, 3])
def test_an_unpublished_version_is_refused(version: int) -> None:
    # Given a version the service does not publish / When the event is built / Then it is refused
    with pytest.raises(ValueError, match=f"v{version} is not published"):
        order_confirmed_event(_confirmed(), version, RecordingEncryptor(), KEY_ID)
