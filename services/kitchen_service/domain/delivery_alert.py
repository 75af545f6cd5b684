"""A delivery order is due soon: the kitchen should start on it now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True)
class DeliveryAlert:
    order_id: str
    due_at: datetime


class AlertOutcome(StrEnum):
    RAISED = "raised"
    ALREADY_RAISED = "already raised"
    UNKNOWN_ORDER = "unknown order"


class AlertForUnknownOrder(LookupError):
    """The alert names an order the kitchen never received."""
