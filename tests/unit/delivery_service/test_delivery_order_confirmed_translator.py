"""Delivery's anti-corruption layer: order.confirmed v1/v2 CloudEvents → ScheduleDelivery or CollectionOrder."""

from __future__ import annotations

from typing import Any

import pytest
from order_confirmed_support import DUE, MISSING, OrderConfirmedEvents, refusal

from delivery_service.domain import CollectionOrder, EncryptedAddress, ScheduleDelivery
from delivery_service.order_confirmed_translator import ORDER_CONFIRMED_TRANSLATION
from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.errors import InvalidMessage
from pizza_contracts import ORDER_CONFIRMED_V1, ORDER_CONFIRMED_V2

_orders = OrderConfirmedEvents(ORDER_CONFIRMED_V1, sales_channel="phone")
_v1, _v2, _event = _orders.v1, _orders.v2, _orders.event


@pytest.mark.parametrize(
    ("data", "event_type"), [(_v1(), ORDER_CONFIRMED_V1), (_v2(), ORDER_CONFIRMED_V2)], ids=["v1", "v2"]
)
def test_a_confirmed_delivery_order_becomes_a_delivery_to_schedule_with_the_address_still_encrypted(
    data: dict[str, Any], event_type: EventType
) -> None:
    # Given a confirmed delivery order, in either version / When translated
    command = ORDER_CONFIRMED_TRANSLATION.read(_event(data, event_type))

    # Then delivery's command carries the encrypted address (decrypted later, by the use case) and due time
    assert command == ScheduleDelivery("order-1", "customer-7", EncryptedAddress("AQID", "alias/order-pii"), DUE)


def test_a_collection_order_becomes_a_collection_order_without_needing_an_address() -> None:
    # Given a collection order, with neither address nor due time / When translated
    command = ORDER_CONFIRMED_TRANSLATION.read(
        _event(_v1(orderType="collection", deliveryAddress=None, deliveryDueAt=None))
    )

    # Then there is nothing for delivery to schedule
    assert command == CollectionOrder("order-1", "customer-7")


def test_fields_delivery_does_not_read_may_be_absent() -> None:
    # Given an event without amount, items or sales channel (delivery never reads them)
    data = _v2(amount=MISSING, items=MISSING, salesChannel=MISSING, confirmedAt=MISSING)

    # When translated / Then they do not matter (tolerant reader)
    assert ORDER_CONFIRMED_TRANSLATION.read(_event(data, ORDER_CONFIRMED_V2)).order_id == "order-1"


def test_a_v3_event_is_refused_naming_its_type_and_the_supported_versions() -> None:
    # Given a version delivery has never heard of / When translated
    reason = refusal(ORDER_CONFIRMED_TRANSLATION.read, _event(_v2(), EventType("com.pizza.order.confirmed", 3)))

    # Then the reason names what came and what is supported
    assert "com.pizza.order.confirmed.v3" not in reason
    assert "com.pizza.order.confirmed.v1, com.pizza.order.confirmed.v2" in reason


def test_an_event_of_another_type_is_refused() -> None:
    # Given an order.placed event / When translated / Then it is refused, naming what is supported (not what came)
    with pytest.raises(
        InvalidMessage, match=r"supported: com\.pizza\.order\.confirmed\.v1, com\.pizza\.order\.confirmed\.v2"
    ):
        ORDER_CONFIRMED_TRANSLATION.read(_event(_v1(), EventType("com.pizza.order.placed", 1)))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_v1(deliveryAddress=None), "deliveryAddress"),
        (_v1(deliveryAddress=MISSING), "deliveryAddress"),
        (_v1(deliveryDueAt=None), "deliveryDueAt"),
        (_v1(deliveryDueAt=MISSING), "deliveryDueAt"),
    ],
    ids=["null address", "missing address", "null due time", "missing due time"],
)
def test_a_delivery_order_without_its_address_or_due_time_is_refused(data: dict[str, Any], field: str) -> None:
    # Given a delivery order lacking what a delivery needs / When translated / Then the reason names it
    reason = refusal(ORDER_CONFIRMED_TRANSLATION.read, _event(data))
    assert f"{field}: required for a delivery order" in reason
    assert "event-1" not in reason  # a reason never quotes input, ids included


def test_a_delivery_order_lacking_both_names_both() -> None:
    # Given neither address nor due time / When translated / Then both are named in one reason
    reason = refusal(ORDER_CONFIRMED_TRANSLATION.read, _event(_v1(deliveryAddress=None, deliveryDueAt=None)))
    assert "deliveryAddress:" in reason
    assert "deliveryDueAt:" in reason


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_v1(orderId=MISSING), "orderId"),
        (_v1(customerId=""), "customerId"),
        (_v1(orderType=MISSING), "orderType"),
        (_v1(orderType="drone"), "orderType"),
        (_v1(deliveryDueAt="tonight"), "deliveryDueAt"),
        (_v1(deliveryAddress={"keyId": "alias/order-pii"}), "deliveryAddress.ciphertext"),
        (_v1(deliveryAddress={"ciphertext": "AQID"}), "deliveryAddress.keyId"),
        (_v1(deliveryAddress="1 High Street"), "deliveryAddress"),
    ],
    ids=["missing orderId", "empty customerId", "missing orderType", "unknown orderType", "due time not a time",
         "missing ciphertext", "missing keyId", "plaintext address"],
)  # fmt: skip
def test_an_invalid_order_is_refused_naming_the_field(data: dict[str, Any], field: str) -> None:
    # Given an event with one bad field / When translated / Then the reason names it and the event
    reason = refusal(ORDER_CONFIRMED_TRANSLATION.read, _event(data))
    assert f"{field}:" in reason
    assert "event-1" not in reason  # a reason never quotes input, ids included
