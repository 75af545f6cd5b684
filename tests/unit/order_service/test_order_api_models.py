"""The HTTP API's request model: every bad field is named by its JSON path; good input maps to PlaceOrder."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from order_service.api_models import PlaceOrderRequest, accepted_response, order_view
from order_service.domain.order import DeliveryAddress, Order, OrderItem, OrderType, PlaceOrder, SalesChannel

ADDRESS_JSON = {"line1": "1 High Street", "line2": "Flat 2", "city": "Leeds", "postcode": "LS1 1AA"}


def _collection(**overrides: Any) -> dict[str, Any]:
    return {
        "customerId": "customer-7",
        "items": [{"pizza": "Margherita", "quantity": 2}],
        "orderType": "collection",
        **overrides,
    }


def _delivery(**overrides: Any) -> dict[str, Any]:
    return _collection(orderType="delivery", deliveryAddress=ADDRESS_JSON, **overrides)


def _error_locations(body: dict[str, Any]) -> list[tuple[str | int, ...]]:
    with pytest.raises(ValidationError) as rejected:
        PlaceOrderRequest.model_validate_json(json.dumps(body))
    return [tuple(error["loc"]) for error in rejected.value.errors()]


@pytest.mark.parametrize(
    ("body", "location"),
    [
        (_collection(customerId=""), ("customerId",)),
        (_collection(customerId="   "), ("customerId",)),
        (_collection(customerId="customer 7!"), ("customerId",)),
        (_collection(items=[]), ("items",)),
        (_collection(items=[{"pizza": "Margherita", "quantity": 0}]), ("items", 0, "quantity")),
        (_collection(items=[{"pizza": "Margherita", "quantity": 21}]), ("items", 0, "quantity")),
        (_collection(items=[{"pizza": "Margherita", "quantity": "2"}]), ("items", 0, "quantity")),
        (_collection(orderType="drone"), ("orderType",)),
        (_collection(orderType="delivery"), ("deliveryAddress",)),
        (_collection(deliveryAddress=ADDRESS_JSON), ("deliveryAddress",)),
        (_collection(couponCode="FREEPIZZA"), ("couponCode",)),
        (_delivery(deliveryDueAt="2025-03-14T13:00:00"), ("deliveryDueAt",)),
        (_delivery(deliveryDueAt="soon"), ("deliveryDueAt",)),
        (_collection(salesChannel="shop"), ("salesChannel",)),
        (_collection(salesChannel="WEB"), ("salesChannel",)),
    ],
    ids=[
        "empty customerId",
        "blank customerId",
        "customerId with bad characters",
        "no items",
        "quantity 0",
        "quantity 21",
        "quantity as a string",
        "unknown orderType",
        "delivery without deliveryAddress",
        "collection with deliveryAddress",
        "unknown extra field",
        "deliveryDueAt without a UTC offset",
        "deliveryDueAt not a time",
        "unknown salesChannel",
        "salesChannel in the wrong case",
    ],
)
def test_a_bad_field_is_rejected_under_its_json_name(body: dict[str, Any], location: tuple[str | int, ...]) -> None:
    # Given a request with exactly one bad field
    # When it is validated
    locations = _error_locations(body)

    # Then that field, and only it, is reported by its camelCase JSON path
    assert locations == [location]


def test_a_delivery_request_maps_to_a_place_order_command() -> None:
    # Given a valid delivery request (with whitespace the edge trims)
    body = _delivery(
        customerId="  customer-7  ", items=[{"pizza": "Margherita", "quantity": 2}, {"pizza": "Diavola", "quantity": 1}]
    )

    # When it is validated and turned into a command
    command = PlaceOrderRequest.model_validate_json(json.dumps(body)).to_command()

    # Then the command carries the same order in domain terms
    assert command == PlaceOrder(
        customer_id="customer-7",
        items=(OrderItem("Margherita", 2), OrderItem("Diavola", 1)),
        order_type=OrderType.DELIVERY,
        delivery_address=DeliveryAddress(line1="1 High Street", line2="Flat 2", city="Leeds", postcode="LS1 1AA"),
    )


def test_a_collection_request_maps_to_a_command_without_an_address() -> None:
    # Given a valid collection request
    # When it is turned into a command
    command = PlaceOrderRequest.model_validate_json(json.dumps(_collection())).to_command()

    # Then it is a collection with no address
    assert command.order_type is OrderType.COLLECTION
    assert command.delivery_address is None
    assert command.items == (OrderItem("Margherita", 2),)


def test_a_delivery_due_time_with_a_utc_offset_is_kept_as_that_moment() -> None:
    # Given a delivery request due at 14:00 in UTC+01:00
    body = _delivery(deliveryDueAt="2025-03-14T14:00:00+01:00")

    # When it is turned into a command
    command = PlaceOrderRequest.model_validate_json(json.dumps(body)).to_command()

    # Then the command names that moment (13:00 UTC), with its offset
    assert command.delivery_due_at == datetime(2025, 3, 14, 13, 0, tzinfo=UTC)
    assert command.delivery_due_at is not None
    assert command.delivery_due_at.utcoffset() == timedelta(hours=1)
    assert command.delivery_due_at.tzinfo == timezone(timedelta(hours=1))


def test_a_request_without_a_due_time_leaves_it_to_the_domain() -> None:
    # Given a delivery request naming no due time / When it is turned into a command
    command = PlaceOrderRequest.model_validate_json(json.dumps(_delivery())).to_command()

    # Then the command has none (the domain applies its default)
    assert command.delivery_due_at is None


@pytest.mark.parametrize(
    ("wire_value", "channel"),
    [("web", SalesChannel.WEB), ("app", SalesChannel.APP), ("phone", SalesChannel.PHONE)],
)
def test_each_sales_channel_maps_to_the_domain_channel(wire_value: str, channel: SalesChannel) -> None:
    # Given a request placed through one channel / When it is turned into a command
    command = PlaceOrderRequest.model_validate_json(json.dumps(_collection(salesChannel=wire_value))).to_command()

    # Then the command names that channel
    assert command.sales_channel is channel


def test_a_request_naming_no_sales_channel_is_a_web_order() -> None:
    # Given a request without salesChannel / When it is turned into a command / Then it came from the web
    command = PlaceOrderRequest.model_validate_json(json.dumps(_collection())).to_command()
    assert command.sales_channel is SalesChannel.WEB


def test_snake_case_keys_are_not_part_of_the_wire_format() -> None:
    # Given a delivery order spelled with Python field names instead of the API's camelCase
    body = {
        "customer_id": "customer-7",
        "items": [{"pizza": "Margherita", "quantity": 1}],
        "order_type": "delivery",
        "delivery_address": ADDRESS_JSON,
    }

    # When it is validated
    with pytest.raises(ValidationError) as raised:
        PlaceOrderRequest.model_validate_json(json.dumps(body))

    # Then each snake_case key is an unexpected field and each camelCase one is missing
    locations = {".".join(str(p) for p in e["loc"]) for e in raised.value.errors()}
    assert {"customer_id", "order_type", "delivery_address", "customerId", "orderType"} <= locations


def _order() -> Order:
    command = PlaceOrder(
        customer_id="customer-7",
        items=(OrderItem("Margherita", 2),),
        order_type=OrderType.DELIVERY,
        delivery_address=DeliveryAddress(line1="1 High Street", city="Leeds", postcode="LS1 1AA"),
    )
    return Order.place("order-1", command, datetime(2025, 3, 14, 12, 0, tzinfo=UTC))


def test_the_order_view_shows_the_order_but_not_the_delivery_address() -> None:
    # Given a delivery order of two Margheritas (8.50 each) with no due time named, acknowledged by the kitchen
    order = _order().acknowledge(datetime(2025, 3, 14, 12, 1, tzinfo=UTC))

    # When its public view is built
    view = order_view(order)

    # Then it describes the order, due 45 minutes after it was placed, with its exact total...
    assert view == {
        "orderId": "order-1",
        "customerId": "customer-7",
        "orderType": "delivery",
        "status": "ACKNOWLEDGED",
        "items": [{"pizza": "Margherita", "quantity": 2}],
        "placedAt": "2025-03-14T12:00:00+00:00",
        "acknowledgedAt": "2025-03-14T12:01:00+00:00",
        "deliveryDueAt": "2025-03-14T12:45:00+00:00",
        "salesChannel": "web",
        "total": {"currency": "EUR", "value": "17.00"},
        "failureReason": None,
        # ...and every status it moved through, with when
        "history": [
            {"status": "ACCEPTED", "at": "2025-03-14T12:00:00+00:00"},
            {"status": "ACKNOWLEDGED", "at": "2025-03-14T12:01:00+00:00"},
        ],
    }
    # ...and no part of the address (personal data) leaks into it
    rendered = json.dumps(view)
    assert "High Street" not in rendered
    assert "LS1 1AA" not in rendered


def test_a_collection_order_view_has_no_due_time_and_names_its_channel() -> None:
    # Given a collection order placed in the app
    command = PlaceOrder(
        customer_id="customer-7",
        items=(OrderItem("Diavola", 1), OrderItem("Marinara", 3)),
        order_type=OrderType.COLLECTION,
        sales_channel=SalesChannel.APP,
    )
    order = Order.place("order-2", command, datetime(2025, 3, 14, 12, 0, tzinfo=UTC))

    # When its public view is built
    view = order_view(order)

    # Then nothing is due, the channel is the app and the total is 11.00 + 3 x 7.50
    assert view["deliveryDueAt"] is None
    assert view["acknowledgedAt"] is None
    assert view["salesChannel"] == "app"
    assert view["total"] == {"currency": "EUR", "value": "33.50"}


def test_the_accepted_response_points_at_the_order_status() -> None:
    # Given a just-placed order / When the 202 body is built / Then it names the order, status and URL
    assert accepted_response(_order(), "/orders/order-1") == {
        "orderId": "order-1",
        "status": "ACCEPTED",
        "statusUrl": "/orders/order-1",
    }


def test_a_failed_order_shows_why_in_its_view_and_its_history() -> None:
    # Given an order the saga failed for a declined payment
    order = _order().fail("payment declined: over the limit", datetime(2025, 3, 14, 12, 2, tzinfo=UTC))

    # When its public view is built
    view = order_view(order)

    # Then the reason is in the view and on the last history entry
    assert view["status"] == "FAILED"
    assert view["failureReason"] == "payment declined: over the limit"
    assert view["history"][-1] == {
        "status": "FAILED",
        "at": "2025-03-14T12:02:00+00:00",
        "reason": "payment declined: over the limit",
    }
