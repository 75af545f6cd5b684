"""The load's HTTP order placer tells a listener of each 202 with its body (a client's next step:
watching the order), and of nothing else."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from pizza_ops.load import LoadPlan
from pizza_ops.load.http_orders import HttpOrderPlacer
from pizza_ops.load.plan import PlannedOrder, planned_orders

API = "http://orders.test"


def _place(answer: httpx.Response, order: PlannedOrder) -> tuple[Any, list[tuple[int, Mapping[str, Any]]]]:
    told: list[tuple[int, Mapping[str, Any]]] = []

    async def place() -> Any:
        transport = httpx.MockTransport(lambda request: answer)
        async with httpx.AsyncClient(transport=transport) as http:
            placer = HttpOrderPlacer(http, API, on_accepted=lambda placed, body: told.append((placed.seq, body)))
            return await placer.place(order)

    return asyncio.run(place()), told


def _order() -> PlannedOrder:
    return planned_orders(LoadPlan(rate=1, duration=1, workflow="saga"))[0]


def test_a_202_is_told_with_its_body() -> None:
    # Given an API that accepts the order and hands out its watch URL
    body = {"orderId": "o-1", "watchUrl": "ws://api.test/?customerId=c&token=t"}

    # When the order is placed
    answer, told = _place(httpx.Response(202, json=body), _order())

    # Then the answer names the order, and the listener got the whole body
    assert answer.order_id == "o-1"
    assert told == [(0, body)]


def test_a_refusal_or_a_202_without_an_order_id_is_not_told() -> None:
    # When the API refuses the order, or accepts it without naming it
    refused, told_refused = _place(httpx.Response(429, json={"orderId": "o-1"}), _order())
    nameless, told_nameless = _place(httpx.Response(202, json=["o-1"]), _order())

    # Then nobody is told, and the nameless 202 is tallied apart
    assert (told_refused, told_nameless) == ([], [])
    assert refused.outcome == "429"
    assert nameless.outcome == "202 without orderId"
