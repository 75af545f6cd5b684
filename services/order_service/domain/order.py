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
    # The choreography's end: the kitchen acknowledged, and order.confirmed was announced.
    ACKNOWLEDGED = "ACKNOWLEDGED"
    # The orchestrated saga's way: one status per step done, then its outcome.
    STOCK_RESERVED = "STOCK_RESERVED"
    PAID = "PAID"
    IN_KITCHEN = "IN_KITCHEN"
    CONFIRMED = "CONFIRMED"
    # The saga gave up and undid its steps; failure_reason says why.
    FAILED = "FAILED"
    # An undo kept failing: something the saga did is not undone. Alarmed; needs a person.
    COMPENSATION_FAILED = "COMPENSATION_FAILED"

    @property
    def is_final(self) -> bool:
        return self in _FINAL_STATUSES


_FINAL_STATUSES = frozenset(
    {OrderStatus.ACKNOWLEDGED, OrderStatus.CONFIRMED, OrderStatus.FAILED, OrderStatus.COMPENSATION_FAILED}
)


@dataclass(frozen=True)
class StatusChange:
    """One entry of an order's history: the status it moved to, when, and (for a failure) why."""

    status: OrderStatus
    at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class OrderItem:
    pizza: str
    quantity: int
    # How to make it, or whom it is for ("no basil, label: Team A"); for the kitchen.
    notes: str | None = None


@dataclass(frozen=True)
class DeliveryAddress:
    """Personal data: kept by the order service, shared only encrypted; its repr shows no part of it."""

    line1: str = field(repr=False)
    city: str = field(repr=False)
    postcode: str = field(repr=False)
    line2: str | None = field(default=None, repr=False)
    # Whom the driver calls, and what they should know ("ring twice, 3rd floor").
    contact_phone: str | None = field(default=None, repr=False)
    notes: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PlaceOrder:
    """Command: a customer places an order (already validated at the edge)."""

    customer_id: str
    items: tuple[OrderItem, ...]
    order_type: OrderType
    delivery_address: DeliveryAddress | None = None
    delivery_due_at: datetime | None = None
    sales_channel: SalesChannel = SalesChannel.WEB
    # Where each status change is POSTed (a webhook), when the client asked for that.
    callback_url: str | None = None


class OrderRuleViolation(ValueError):
    """The order breaks a business rule."""


class OrderAlreadyExists(LookupError):
    """An order with this id is stored already."""


class OrderIsFinal(ValueError):
    """The order has reached a final status; it changes no more."""


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
    history: tuple[StatusChange, ...] = ()
    failure_reason: str | None = None
    callback_url: str | None = None

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
            history=(StatusChange(OrderStatus.ACCEPTED, now),),
            callback_url=command.callback_url,
        )

    def was_placed_by(self, command: PlaceOrder) -> bool:
        """Whether ``command`` asks for this very order (its due time, when it names one, included)."""
        return (
            self.customer_id == command.customer_id
            and self.items == command.items
            and self.order_type is command.order_type
            and self.delivery_address == command.delivery_address
            and self.sales_channel is command.sales_channel
            and self.callback_url == command.callback_url
            and command.delivery_due_at in (None, self.delivery_due_at)
        )

    def acknowledge(self, now: datetime) -> Order:
        return replace(self.moved_to(OrderStatus.ACKNOWLEDGED, now), acknowledged_at=now)

    def confirm(self, acknowledged_at: datetime, now: datetime) -> Order:
        """The saga's end: the kitchen acknowledged at ``acknowledged_at``; confirmed ``now``."""
        return replace(self.moved_to(OrderStatus.CONFIRMED, now), acknowledged_at=acknowledged_at)

    def fail(self, reason: str, now: datetime, status: OrderStatus = OrderStatus.FAILED) -> Order:
        return replace(self.moved_to(status, now, reason), failure_reason=reason)

    def moved_to(self, status: OrderStatus, now: datetime, reason: str | None = None) -> Order:
        """This order in ``status``, the move recorded in its history; a final order does not move."""
        if self.status.is_final:
            raise OrderIsFinal(f"order {self.order_id} is {self.status.value} already")
        return replace(self, status=status, history=(*self.history, StatusChange(status, now, reason)))


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
