"""What the order service announces when an order changes: decided by the use cases, stored with
the change (the outbox), and sent by the outbox relay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from order_service.domain.order import Order


@dataclass(frozen=True)
class OrderPlaced:
    """The kitchen is asked to prepare the order."""

    order: Order


@dataclass(frozen=True)
class OrderConfirmed:
    """The kitchen has confirmed the order; the rest of the restaurant hears about it."""

    order: Order


@dataclass(frozen=True)
class DeliveryDueSoon:
    """A passage-of-time event: at ``alert_at`` the kitchen is told the delivery is due soon."""

    order: Order
    alert_at: datetime


OrderEvent = OrderPlaced | OrderConfirmed | DeliveryDueSoon
