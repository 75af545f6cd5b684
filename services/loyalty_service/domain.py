"""The loyalty scheme's rules: how many points an order earns."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum, StrEnum


class SalesChannel(StrEnum):
    WEB = "web"
    APP = "app"
    PHONE = "phone"


# The app promotion: orders placed in the app earn this many times the standard points.
APP_MULTIPLIER = 2


@dataclass(frozen=True)
class AwardPoints:
    """Command: award the points ``order_id`` earned to its customer.

    ``sales_channel`` is None when the order did not say where it was placed (order.confirmed.v1
    predates channels); such orders earn the standard rate, since the app promotion cannot be
    proven for them.
    """

    order_id: str
    customer_id: str
    amount: Decimal
    sales_channel: SalesChannel | None = None


@dataclass(frozen=True)
class PointsAward:
    order_id: str
    customer_id: str
    points: int
    awarded_at: datetime


class AwardOutcome(Enum):
    AWARDED = "awarded"
    ALREADY_AWARDED = "already_awarded"


def points_for(amount: Decimal, sales_channel: SalesChannel | None) -> int:
    """One point per whole currency unit spent (rounded down), doubled for app orders."""
    standard = math.floor(amount)
    return standard * APP_MULTIPLIER if sales_channel is SalesChannel.APP else standard


def award_for(command: AwardPoints, now: datetime) -> PointsAward:
    return PointsAward(command.order_id, command.customer_id, points_for(command.amount, command.sales_channel), now)
