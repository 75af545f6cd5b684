"""Polling: GET on an order's statusUrl says when to ask again while the order still moves."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from order_api_support import api_request, wired_order_api

from order_service.domain.order import Order, OrderItem, OrderType, PlaceOrder
from twins.orders import InMemoryOrderRepository

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
PLACED = Order.place("o-1", PlaceOrder("c-1", (OrderItem("Margherita", 1),), OrderType.COLLECTION), NOW)


def _status(order: Order) -> dict[str, object]:
    orders = InMemoryOrderRepository()
    orders.orders[order.order_id] = order
    return api_request(wired_order_api(orders=orders), "GET", f"/orders/{order.order_id}", headers={})


def test_an_order_still_moving_says_to_ask_again_in_a_second() -> None:
    # Given an order just accepted / When its status is read / Then it says when to poll again
    response = _status(PLACED)
    assert response["statusCode"] == 200
    assert response["headers"]["Retry-After"] == "1"
    assert json.loads(str(response["body"]))["status"] == "ACCEPTED"


def test_a_final_order_says_nothing_about_asking_again() -> None:
    # Given an order that reached a final status / When read / Then there is no Retry-After
    for final in (PLACED.acknowledge(NOW), PLACED.fail("payment declined: test", NOW)):
        response = _status(final)
        assert "Retry-After" not in response.get("headers", {}), final.status
