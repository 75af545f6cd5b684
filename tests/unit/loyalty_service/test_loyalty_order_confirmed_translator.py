"""Loyalty's anti-corruption layer: order.confirmed v1/v2 CloudEvents → AwardPoints."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from cloudevents.core.v1.event import CloudEvent
from order_confirmed_support import MISSING, ORDER_SOURCE, OrderConfirmedEvents, refusal

from integration_patterns.cloudevents_envelope import EventType
from integration_patterns.errors import InvalidMessage
from loyalty_service.domain import AwardPoints, SalesChannel
from loyalty_service.order_confirmed_translator import ORDER_CONFIRMED_TRANSLATION
from pizza_contracts import ORDER_CONFIRMED_V1, ORDER_CONFIRMED_V2

_orders = OrderConfirmedEvents(ORDER_CONFIRMED_V1, sales_channel="app")
_v1, _v2, _event = _orders.v1, _orders.v2, _orders.event


def test_a_v1_confirmed_order_becomes_an_award_at_the_standard_rate() -> None:
    # Given a v1 event, which carries no sales channel / When translated
    command = ORDER_CONFIRMED_TRANSLATION.read(_event(_v1()))

    # Then loyalty's command has the amount in euros and no channel
    assert command == AwardPoints("order-1", "customer-7", Decimal("23.5"), sales_channel=None)


def test_a_v1_whole_number_amount_is_accepted() -> None:
    # Given a v1 amount written as a JSON integer / When translated / Then it is the same amount
    assert ORDER_CONFIRMED_TRANSLATION.read(_event(_v1(amount=20))).amount == Decimal(20)


def test_a_v2_confirmed_order_carries_its_decimal_amount_and_sales_channel() -> None:
    # Given a v2 event with a money object and a sales channel / When translated
    command = ORDER_CONFIRMED_TRANSLATION.read(_event(_v2(), ORDER_CONFIRMED_V2))

    # Then the decimal string is kept exactly, and the channel is loyalty's own enum
    assert command == AwardPoints("order-1", "customer-7", Decimal("23.50"), sales_channel=SalesChannel.APP)


def test_fields_loyalty_does_not_read_may_be_absent_or_unexpected() -> None:
    # Given an event without the items and addresses loyalty never reads, plus a field nobody knows
    data = _v2(items=MISSING, deliveryAddress=MISSING, deliveryDueAt=MISSING, confirmedAt=MISSING, tip=2)

    # When translated / Then they do not matter (tolerant reader)
    assert ORDER_CONFIRMED_TRANSLATION.read(_event(data, ORDER_CONFIRMED_V2)).order_id == "order-1"


def test_a_v3_event_is_refused_naming_its_type_and_the_supported_versions() -> None:
    # Given a version loyalty has never heard of
    event = _event(_v2(), EventType("com.pizza.order.confirmed", 3))

    # When translated / Then the reason tells support what came and what is understood
    reason = refusal(ORDER_CONFIRMED_TRANSLATION.read, event)
    assert "com.pizza.order.confirmed.v3" not in reason
    assert "com.pizza.order.confirmed.v1" in reason
    assert "com.pizza.order.confirmed.v2" in reason
    assert "event-1" not in reason  # a reason never quotes input, ids included


@pytest.mark.parametrize(
    "event_type",
    [EventType("com.pizza.order.placed", 1), EventType("com.pizza.order.cancelled", 2)],
    ids=["order.placed", "order.cancelled"],
)
def test_an_event_of_another_type_is_refused(event_type: EventType) -> None:
    # Given an event that is not order.confirmed / When translated / Then it is refused, naming the type
    reason = refusal(ORDER_CONFIRMED_TRANSLATION.read, _event(_v1(), event_type))
    assert str(event_type) not in reason
    assert "com.pizza.order.confirmed.v1" in reason


def test_a_type_without_a_version_is_refused_naming_the_supported_versions() -> None:
    # Given a type with no version suffix
    event = CloudEvent(attributes={"id": "event-1", "source": ORDER_SOURCE, "type": "order.confirmed"}, data=_v1())

    # When translated / Then the reason still says what loyalty takes
    with pytest.raises(InvalidMessage, match=r"com\.pizza\.order\.confirmed\.v2"):
        ORDER_CONFIRMED_TRANSLATION.read(event)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_v1(orderId=MISSING), "orderId"),
        (_v1(orderId=""), "orderId"),
        (_v1(customerId=MISSING), "customerId"),
        (_v1(amount=MISSING), "amount"),
        (_v1(amount="23.5"), "amount"),
        (_v1(amount=-1), "amount"),
        (_v1(amount=True), "amount"),
    ],
    ids=["missing orderId", "empty orderId", "missing customerId", "missing amount", "amount as string",
         "negative amount", "amount as boolean"],
)  # fmt: skip
def test_an_invalid_v1_order_is_refused_naming_the_field(data: dict[str, Any], field: str) -> None:
    # Given a v1 event with one bad field / When translated / Then the reason names it and the event
    reason = refusal(ORDER_CONFIRMED_TRANSLATION.read, _event(data))
    assert f"{field}:" in reason
    assert "event-1" not in reason  # a reason never quotes input, ids included


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (_v2(amount=23.5), "amount"),
        (_v2(amount={"currency": "EUR"}), "amount.value"),
        (_v2(amount={"currency": "EUR", "value": 23.5}), "amount.value"),
        (_v2(amount={"currency": "EUR", "value": "lots"}), "amount.value"),
        (_v2(amount={"currency": "EUR", "value": "-3.00"}), "amount.value"),
        (_v2(amount={"currency": "GBP", "value": "23.50"}), "amount.currency"),
        (_v2(salesChannel=MISSING), "salesChannel"),
        (_v2(salesChannel="kiosk"), "salesChannel"),
    ],
    ids=["v1-style amount", "missing value", "value as number", "value not decimal", "negative value",
         "other currency", "missing salesChannel", "unknown salesChannel"],
)  # fmt: skip
def test_an_invalid_v2_order_is_refused_naming_the_field(data: dict[str, Any], field: str) -> None:
    # Given a v2 event with one bad field / When translated / Then the reason names it
    assert f"{field}:" in refusal(ORDER_CONFIRMED_TRANSLATION.read, _event(data, ORDER_CONFIRMED_V2))


def test_every_bad_field_is_named_at_once() -> None:
    # Given an event missing two fields / When translated / Then support sees both in one reason
    reason = refusal(ORDER_CONFIRMED_TRANSLATION.read, _event(_v1(orderId=MISSING, customerId=MISSING)))
    assert "orderId:" in reason
    assert "customerId:" in reason
