"""The kitchen's own view of an order: what to cook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Dish:
    pizza: str
    quantity: int
    notes: str | None = None


@dataclass(frozen=True)
class OrderToPrepare:
    """Command: prepare this order, and answer whoever asked.

    Two ways to ask: the choreography names a queue (``reply_to``) for an acknowledgement; the
    orchestrated saga waits on a durable callback (``callback_id``), which the kitchen completes
    with an acknowledgement or a refusal.
    """

    order_id: str
    customer_id: str
    dishes: tuple[Dish, ...]
    reply_to: str | None = None
    callback_id: str | None = None


@dataclass(frozen=True)
class KitchenOrder:
    order_id: str
    customer_id: str
    dishes: tuple[Dish, ...]
    received_at: datetime
    # Set when a delivery order's "due soon" alert arrives: start it now.
    alerted_at: datetime | None = None
    due_at: datetime | None = None


class OvenFailure(RuntimeError):
    """The kitchen cannot make the order. A saga is told so (a refusal, which it compensates); the
    choreography has no refusal in its acknowledgement, so there the message is retried, then
    dead-lettered, where an operator sees it."""


def start_preparing(order: OrderToPrepare, now: datetime, uncookable_pizza: str | None) -> KitchenOrder:
    """The kitchen takes the order on, unless it asks for the one pizza the oven cannot make.

    ``uncookable_pizza`` is the documented fault switch used by demos and tests to make the
    kitchen fail for one order.
    """
    for dish in order.dishes:
        if uncookable_pizza and dish.pizza.casefold() == uncookable_pizza.casefold():
            raise OvenFailure(f"the kitchen cannot make {dish.pizza!r}")
    return KitchenOrder(order.order_id, order.customer_id, order.dishes, now)
