"""The order: what a customer asked for, and where it stands."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class OrderType(StrEnum):
    DELIVERY = "delivery"
    COLLECTION = "collection"


class OrderStatus(StrEnum):
    ACCEPTED = "ACCEPTED"
    ACKNOWLEDGED = "ACKNOWLEDGED"


@dataclass(frozen=True)
class OrderItem:
    pizza: str
    quantity: int


@dataclass(frozen=True)
class DeliveryAddress:
    line1: str
    city: str
    postcode: str
    line2: str | None = None


@dataclass(frozen=True)
class PlaceOrder:
    """Command: a customer places an order (already validated at the edge)."""

    customer_id: str
    items: tuple[OrderItem, ...]
    order_type: OrderType
    delivery_address: DeliveryAddress | None = None


class OrderRuleViolation(ValueError):
    """The order breaks a business rule."""


class KitchenUnavailable(RuntimeError):
    """The order could not be handed to the kitchen; nothing was kept, the customer may retry."""


@dataclass(frozen=True)
class Order:
    order_id: str
    customer_id: str
    items: tuple[OrderItem, ...]
    order_type: OrderType
    status: OrderStatus
    placed_at: datetime
    delivery_address: DeliveryAddress | None = None
    acknowledged_at: datetime | None = None

    @classmethod
    def place(cls, order_id: str, command: PlaceOrder, now: datetime) -> Order:
        if not command.items:
            raise OrderRuleViolation("an order needs at least one item")
        if command.order_type is OrderType.DELIVERY and command.delivery_address is None:
            raise OrderRuleViolation("a delivery order needs a delivery address")
        return cls(
            order_id=order_id,
            customer_id=command.customer_id,
            items=command.items,
            order_type=command.order_type,
            status=OrderStatus.ACCEPTED,
            placed_at=now,
            delivery_address=command.delivery_address,
        )

    def acknowledge(self, now: datetime) -> Order:
        return replace(self, status=OrderStatus.ACKNOWLEDGED, acknowledged_at=now)
