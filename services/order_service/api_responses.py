"""What the orders API answers, as models: the OpenAPI document's response bodies and, per route,
every status it may answer with and why.

The bodies themselves are made by the views in :mod:`order_service.api_models`; the unit tests hold
each view to its model here, and the API's schemathesis run holds the deployed routes to the
document made from them.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import Example
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from integration_patterns.http_api import IDEMPOTENCY_KEY_HEADER
from integration_patterns.openapi import answers, error_answer, header_doc
from order_service.domain.order import OrderStatus, OrderType, SalesChannel

# RFC 3339 text with an offset, as the views write it (``datetime.isoformat``).
_TIMESTAMP: dict[str, Any] = {"format": "date-time"}


class _Answer(BaseModel):
    # Forbidden extras become `additionalProperties: false`: a field a view adds without its model
    # here is a response that breaks the document.
    model_config = ConfigDict(alias_generator=to_camel, extra="forbid", frozen=True)


def _omitted_when_none(value: object) -> bool:
    return value is None


class MoneyView(_Answer):
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")
    value: str = Field(pattern=r"^[0-9]+\.[0-9]{2}$", description="the exact amount, e.g. 23.50")


class OrderLineView(_Answer):
    pizza: str
    quantity: int = Field(ge=1)
    # Only when the line has notes.
    notes: str | None = Field(default=None, exclude_if=_omitted_when_none)


class StatusChangeView(_Answer):
    status: OrderStatus
    at: str = Field(json_schema_extra=_TIMESTAMP)
    # Only for a change that has a reason (a failure).
    reason: str | None = Field(default=None, exclude_if=_omitted_when_none)


class OrderView(_Answer):
    """An order as GET /orders/{orderId} shows it; the delivery address is personal data, never shown."""

    order_id: str
    customer_id: str
    order_type: OrderType
    status: OrderStatus
    items: list[OrderLineView]
    placed_at: str = Field(json_schema_extra=_TIMESTAMP)
    acknowledged_at: str | None = Field(json_schema_extra=_TIMESTAMP)
    delivery_due_at: str | None = Field(json_schema_extra=_TIMESTAMP)
    sales_channel: SalesChannel
    total: MoneyView
    failure_reason: str | None
    history: list[StatusChangeView] = Field(description="every status the order moved through, oldest first")


class AcceptedOrder(_Answer):
    """The 202 of POST /orders: where to ask about the order, and how to watch it."""

    order_id: str
    status: OrderStatus
    status_url: str = Field(description="GET it for the order's status (the Location header too)")
    watch_url: str = Field(description="a WebSocket URL that pushes the customer's order updates")
    watch_token: str
    watch_expires_at: str = Field(json_schema_extra=_TIMESTAMP)
    # Only for an order with a callbackUrl: the key its webhooks are signed with (Standard Webhooks).
    webhook_secret: str | None = Field(default=None, exclude_if=_omitted_when_none)


class MenuPizzaView(_Answer):
    name: str
    price: MoneyView
    in_stock: bool


class MenuView(_Answer):
    """What can be ordered, at what price, and whether the inventory has it now."""

    pizzas: list[MenuPizzaView]


# The document's examples of a request body (the README's), which schemathesis also sends as they are.
PLACE_ORDER_EXAMPLES: dict[str, Example] = {
    "collection": Example(
        summary="a collection order",
        value={"customerId": "c-1", "orderType": "collection", "items": [{"pizza": "Margherita", "quantity": 1}]},
    ),
    "delivery": Example(
        summary="a delivery order, due 45 minutes from now",
        value={
            "customerId": "c-1",
            "orderType": "delivery",
            "items": [{"pizza": "Margherita", "quantity": 2}],
            "deliveryAddress": {"line1": "1 Crust Street", "city": "Naples", "postcode": "80100"},
        },
    ),
}

_RETRY_AFTER = header_doc("whole seconds to wait before asking again", {"type": "string", "pattern": r"^[0-9]+$"})
_INVALID = error_answer("a field, the Idempotency-Key header or the body breaks a rule; each problem names it")

PLACE_ORDER_RESPONSES: dict[int, OpenAPIResponse] = {
    202: answers(
        AcceptedOrder,
        "the order is stored and on its way; a replay under the same Idempotency-Key gets the first 202 again",
        headers={
            "Location": header_doc("the order's status URL"),
            "Idempotent-Replayed": header_doc(
                "true when this is the remembered answer to an earlier request with this key",
                {"type": "string", "enum": ["true"]},
            ),
        },
    ),
    400: _INVALID,
    409: error_answer(
        f"a request with this {IDEMPOTENCY_KEY_HEADER} is still in progress", headers={"Retry-After": _RETRY_AFTER}
    ),
    413: error_answer("the body is larger than an order may be"),
    415: error_answer("the body is not declared as application/json (optionally charset=utf-8)"),
    422: error_answer(f"this {IDEMPOTENCY_KEY_HEADER} was already used with a different request body"),
}

ORDER_STATUS_RESPONSES: dict[int, OpenAPIResponse] = {
    200: answers(
        OrderView,
        "the order and its history",
        headers={"Retry-After": header_doc("while the order still moves: when to ask again", _RETRY_AFTER["schema"])},
    ),
    400: error_answer("the orderId is too long or not plain text"),
    404: error_answer("no order has this orderId"),
}

MENU_RESPONSES: dict[int, OpenAPIResponse] = {200: answers(MenuView, "the menu, with prices and stock")}

DOCUMENT_RESPONSES: dict[int, OpenAPIResponse] = {
    200: answers({"type": "object", "required": ["openapi"]}, "this API's OpenAPI 3.1 document")
}
