"""The HTTP API's request and response shapes (kept apart from the domain model)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic.alias_generators import to_camel
from pydantic.json_schema import JsonDict
from pydantic_core import PydanticCustomError

from integration_patterns.http_api import PlainText, Rfc3339DateTime, WholeNumber
from order_service.adapters.contracts import item_view
from order_service.domain.menu import is_on_the_menu, menu, price_of
from order_service.domain.order import DeliveryAddress, Order, OrderItem, OrderType, PlaceOrder, SalesChannel
from pizza_contracts import MAX_LINE_NOTES_LENGTH, MAX_ORDER_LINES

# An order's JSON body, at most: its item in the orders table (DynamoDB: 400 KB at most) holds it
# with room for the order's history and its pending events.
MAX_ORDER_BODY_BYTES = 320_000


class _Request(BaseModel):
    model_config = ConfigDict(
        # The wire format is camelCase JSON only: one spelling per field, so no ambiguity.
        alias_generator=to_camel,
        extra="forbid",
        str_strip_whitespace=True,
        frozen=True,
    )


class OrderItemRequest(_Request):
    # The document lists the menu; the validator below is what refuses anything else, naming it.
    pizza: PlainText = Field(min_length=1, max_length=80, json_schema_extra={"enum": list(menu())})
    quantity: WholeNumber = Field(ge=1, le=20)
    notes: PlainText | None = Field(default=None, min_length=1, max_length=MAX_LINE_NOTES_LENGTH)

    @field_validator("pizza")
    @classmethod
    def _on_the_menu(cls, pizza: str) -> str:
        # Runs after the text rules, so the name it quotes is plain text of at most 80 characters.
        if not is_on_the_menu(pizza):
            # Without a context, pydantic does not format the message, so braces in the name stay as sent.
            raise PydanticCustomError("not_on_the_menu", f'"{pizza}" is not on the menu (the menu: {_MENU})')
        return pizza


_MENU = ", ".join(menu())


class DeliveryAddressRequest(_Request):
    line1: PlainText = Field(min_length=1, max_length=120)
    line2: PlainText | None = Field(default=None, max_length=120)
    city: PlainText = Field(min_length=1, max_length=80)
    postcode: PlainText = Field(min_length=2, max_length=12)
    contact_phone: PlainText | None = Field(default=None, pattern=r"^\+?[0-9][0-9 ()-]{2,24}$")
    # With the address, at most 2 KB of UTF-8: it is encrypted with KMS (4 KB at most) as one field.
    notes: PlainText | None = Field(default=None, min_length=1, max_length=500)


# The document's form of the rule `_address_matches_order_type` enforces: an address with a delivery
# order, none with a collection (nor a due time, which is the order's rule).
_ADDRESS_RULE: JsonDict = {
    "if": {"properties": {"orderType": {"const": "delivery"}}},
    "then": {"required": ["deliveryAddress"], "properties": {"deliveryAddress": {"type": "object"}}},
    "else": {"properties": {"deliveryAddress": {"type": "null"}, "deliveryDueAt": {"type": "null"}}},
}


class PlaceOrderRequest(_Request):
    model_config = ConfigDict(json_schema_extra=_ADDRESS_RULE)

    customer_id: PlainText = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    # Up to a catering order; the body's size is capped too (MAX_ORDER_BODY_BYTES).
    items: list[OrderItemRequest] = Field(min_length=1, max_length=MAX_ORDER_LINES)
    order_type: Literal["delivery", "collection"]
    delivery_address: DeliveryAddressRequest | None = None
    # When a delivery order should arrive: RFC 3339 with an offset; 45 minutes from now when omitted.
    # Whether it is in the future, and not too far, is the order's rule (checked when it is placed).
    delivery_due_at: Rfc3339DateTime | None = None
    sales_channel: Literal["web", "app", "phone"] = "web"
    # Where each status change is POSTed (a webhook). Whether it may be called at all is the
    # callback URL policy's to say, when the order is placed and again at every delivery.
    callback_url: str | None = Field(default=None, min_length=1, max_length=2048)

    @model_validator(mode="before")
    @classmethod
    def _always_check_address(cls, data: Any) -> Any:
        # An absent address must still meet the rule below, reported under its JSON name.
        if isinstance(data, dict) and "deliveryAddress" not in data:
            return {**data, "deliveryAddress": None}
        return data

    @field_validator("delivery_address")
    @classmethod
    def _address_matches_order_type(
        cls, address: DeliveryAddressRequest | None, info: ValidationInfo
    ) -> DeliveryAddressRequest | None:
        order_type = info.data.get("order_type")
        if order_type == "delivery" and address is None:
            raise ValueError("required for a delivery order")
        if order_type == "collection" and address is not None:
            raise ValueError("only allowed for a delivery order")
        return address

    def to_command(self) -> PlaceOrder:
        address = self.delivery_address
        return PlaceOrder(
            customer_id=self.customer_id,
            items=tuple(OrderItem(pizza=i.pizza, quantity=i.quantity, notes=i.notes) for i in self.items),
            order_type=OrderType(self.order_type),
            delivery_address=DeliveryAddress(**address.model_dump()) if address else None,
            delivery_due_at=self.delivery_due_at,
            sales_channel=SalesChannel(self.sales_channel),
            callback_url=self.callback_url,
        )


def accepted_response(order: Order, status_url: str) -> dict[str, str]:
    return {"orderId": order.order_id, "status": order.status.value, "statusUrl": status_url}


def order_view(order: Order) -> dict[str, object]:
    """An order's public view; the delivery address is personal data and is not echoed back."""
    return {
        "orderId": order.order_id,
        "customerId": order.customer_id,
        "orderType": order.order_type.value,
        "status": order.status.value,
        "items": [item_view(i) for i in order.items],
        "placedAt": order.placed_at.isoformat(),
        "acknowledgedAt": order.acknowledged_at.isoformat() if order.acknowledged_at else None,
        "deliveryDueAt": order.delivery_due_at.isoformat() if order.delivery_due_at else None,
        "salesChannel": order.sales_channel.value,
        "total": {"currency": order.total.currency, "value": order.total.decimal_text()},
        "failureReason": order.failure_reason,
        # Every status the order moved through, oldest first, with when (and, for a failure, why).
        "history": [
            {"status": c.status.value, "at": c.at.isoformat(), **({"reason": c.reason} if c.reason else {})}
            for c in order.history
        ],
    }


def menu_view(stock: Mapping[str, int]) -> dict[str, object]:
    """What can be ordered, at what price, and whether the inventory has it now (``stock`` by pizza)."""
    return {
        "pizzas": [
            {
                "name": pizza,
                "price": {"currency": price_of(pizza).currency, "value": price_of(pizza).decimal_text()},
                "inStock": stock.get(pizza, 0) > 0,
            }
            for pizza in menu()
        ]
    }
