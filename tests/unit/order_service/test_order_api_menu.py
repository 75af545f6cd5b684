"""GET /menu: what can be ordered, at what price, and whether the inventory has it now."""

from __future__ import annotations

import json
from typing import Any

from order_api_support import api_request, wired_order_api

from order_service.domain.menu import menu
from twins.inventory import InMemoryStockLedger


def _get_menu(stock: InMemoryStockLedger) -> dict[str, Any]:
    response = api_request(wired_order_api(stock=stock), "GET", "/menu", headers={})
    assert response["statusCode"] == 200, response["body"]
    return dict(json.loads(response["body"]))


def test_the_menu_lists_every_pizza_with_its_price_and_whether_it_is_in_stock() -> None:
    # Given Diavola sold out, Margherita with 3 left, and every other pizza untouched (initial stock)
    stock = InMemoryStockLedger(initial_stock=1000, stock={"Diavola": 0, "Margherita": 3})

    # When the menu is asked for
    pizzas = {entry["name"]: entry for entry in _get_menu(stock)["pizzas"]}

    # Then every pizza that can be ordered is listed, in the menu's order, with its exact price
    assert list(pizzas) == list(menu())
    assert pizzas["Margherita"]["price"] == {"currency": "EUR", "value": "8.50"}
    # And whether each can be had now
    assert pizzas["Diavola"]["inStock"] is False
    assert pizzas["Margherita"]["inStock"] is True
    assert pizzas["Marinara"]["inStock"] is True
