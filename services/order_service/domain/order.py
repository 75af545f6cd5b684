"""The order: what a customer asked for, and where it stands."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from order_service.domain.menu import NO_CHARGE, Money, price_of

# When a delivery order names no time, it is due this long after it is placed.
DEFAULT_DELIVERY_TIME = timedelta(minutes=45)
# Orders are taken for today and tomorrow, not further ahead.
LONGEST_ADVANCE_ORDER = timedelta(days=2)


class OrderType(StrEnum):
    DELIVERY = "delivery"
    COLLECTION = "collection"


class SalesChannel(StrEnum):
    """Where the customer placed the order."""

    WEB = "web"
    APP = "app"
    PHONE = "phone"


class OrderStatus(StrEnum):
    ACCEPTED = "ACCEPTED"
    ACKNOWLEDGED = "ACKNOWLEDGED"


@dataclass(frozen=True)
class OrderItem:
    pizza: str
    quantity: int


@dataclass(frozen=True)
class DeliveryAddress:
    """Personal data: kept by the order service, shared only encrypted; its repr shows no part of it."""

    line1: str = field(repr=False)
    city: str = field(repr=False)
    postcode: str = field(repr=False)
    line2: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PlaceOrder:
    """Command: a customer places an order (already validated at the edge)."""

    customer_id: str
    items: tuple[OrderItem, ...]
    order_type: OrderType
    delivery_address: DeliveryAddress | None = None
    delivery_due_at: datetime | None = None
    sales_channel: SalesChannel = SalesChannel.WEB


class OrderRuleViolation(ValueError):
    """The order breaks a business rule."""


class OrderAlreadyExists(LookupError):
    """An order with this id is stored already."""


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
    delivery_due_at: datetime | None = None
    sales_channel: SalesChannel = SalesChannel.WEB
    total: Money = NO_CHARGE

    @classmethod
    def place(cls, order_id: str, command: PlaceOrder, now: datetime) -> Order:
        if not command.items:
            raise OrderRuleViolation("an order needs at least one item")
        if any(item.quantity < 1 for item in command.items):
            raise OrderRuleViolation("every item needs a quantity of at least 1")
        if command.order_type is OrderType.DELIVERY and command.delivery_address is None:
            raise OrderRuleViolation("a delivery order needs a delivery address")
        return cls(
            total=total_of(command.items),
            sales_channel=command.sales_channel,
            delivery_due_at=_due_time(command, now),
            order_id=order_id,
            customer_id=command.customer_id,
            items=command.items,
            order_type=command.order_type,
            status=OrderStatus.ACCEPTED,
            placed_at=now,
            delivery_address=command.delivery_address,
        )

    def was_placed_by(self, command: PlaceOrder) -> bool:
        """Whether ``command`` asks for this very order (its due time, when it names one, included)."""
        return (
            self.customer_id == command.customer_id
            and self.items == command.items
            and self.order_type is command.order_type
            and self.delivery_address == command.delivery_address
            and self.sales_channel is command.sales_channel
            and command.delivery_due_at in (None, self.delivery_due_at)
        )

    def acknowledge(self, now: datetime) -> Order:
        return replace(self, status=OrderStatus.ACKNOWLEDGED, acknowledged_at=now)


def total_of(items: tuple[OrderItem, ...]) -> Money:
    total = NO_CHARGE
    for item in items:
        total += price_of(item.pizza).times(item.quantity)
    return total


def _due_time(command: PlaceOrder, now: datetime) -> datetime | None:
    if command.order_type is not OrderType.DELIVERY:
        if command.delivery_due_at is not None:
            raise OrderRuleViolation("deliveryDueAt is only allowed for a delivery order")
        return None
    if command.delivery_due_at is None:
        return now + DEFAULT_DELIVERY_TIME
    if command.delivery_due_at <= now:
        raise OrderRuleViolation("deliveryDueAt must be in the future")
    if command.delivery_due_at > now + LONGEST_ADVANCE_ORDER:
        raise OrderRuleViolation("deliveryDueAt must be within the next 2 days")
    return command.delivery_due_at
