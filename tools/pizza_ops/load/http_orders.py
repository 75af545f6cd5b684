"""Orders placed through the orders API over HTTP, on a bounded pool of connections."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from pizza_ops.load.plan import PlannedOrder
from pizza_ops.load.ports import OrderPlacer
from pizza_ops.load.results import ACCEPTED, PlaceAnswer

# Told of each 202 with the answer's body (its statusUrl, watchUrl, ...): what a client does next.
OnAccepted = Callable[[PlannedOrder, Mapping[str, Any]], None]


class HttpOrderPlacer(OrderPlacer):
    """POST /orders with the order's own Idempotency-Key; a request never raises, it is answered or not."""

    def __init__(self, http: httpx.AsyncClient, api_url: str, on_accepted: OnAccepted | None = None) -> None:
        self._http = http
        self._url = f"{api_url.rstrip('/')}/orders"
        self._on_accepted = on_accepted

    async def place(self, order: PlannedOrder) -> PlaceAnswer:
        try:
            response = await self._http.post(
                self._url, json=order.body, headers={"Idempotency-Key": order.idempotency_key}
            )
        except httpx.TimeoutException:
            return PlaceAnswer(None, error="timeout")
        except httpx.TransportError:
            return PlaceAnswer(None, error="connection")
        if response.status_code != ACCEPTED:
            return PlaceAnswer(response.status_code)
        try:
            body = response.json()
        except ValueError:
            body = {}
        order_id = body.get("orderId") if isinstance(body, dict) else None
        if order_id and self._on_accepted is not None:
            self._on_accepted(order, body)
        # A 202 without an order id is no order the run can follow: tallied apart from the rest.
        return PlaceAnswer(ACCEPTED, str(order_id)) if order_id else PlaceAnswer(None, error="202 without orderId")


def order_client(connections: int, request_timeout: float) -> httpx.AsyncClient:
    """An HTTP client with at most ``connections`` open; a request waits for a free one as long as it takes
    (the wait shows in the API latency), then ``request_timeout`` for its answer."""
    return httpx.AsyncClient(
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        timeout=httpx.Timeout(request_timeout, pool=None),
    )
