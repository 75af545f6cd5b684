"""What the kitchen tells the order service back (already translated from its message)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


@dataclass(frozen=True)
class KitchenAcknowledgement:
    order_id: str
    acknowledged_at: datetime


class AcknowledgementOutcome(Enum):
    ACKNOWLEDGED = "acknowledged"
    ALREADY_ACKNOWLEDGED = "already acknowledged"


class UnknownOrder(LookupError):
    """An acknowledgement names an order this service never took."""
