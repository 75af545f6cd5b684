"""Payments: what is charged for an order, the rules that decline one, and refunds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Amount:
    currency: str
    minor_units: int

    def __str__(self) -> str:
        return f"{self.minor_units // 100}.{self.minor_units % 100:02d} {self.currency}"


class PaymentDeclined(Exception):
    """The payment was refused: an expected answer, so nothing is charged and nothing retried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PaymentStatus(StrEnum):
    CHARGED = "CHARGED"
    REFUNDED = "REFUNDED"
    DECLINED = "DECLINED"


class ChargeOutcome(StrEnum):
    CHARGED = "CHARGED"
    # Charged before (a replayed step): not charged again.
    ALREADY_CHARGED = "ALREADY_CHARGED"


class RefundOutcome(StrEnum):
    REFUNDED = "REFUNDED"
    ALREADY_REFUNDED = "ALREADY_REFUNDED"
    NOTHING_CHARGED = "NOTHING_CHARGED"


@dataclass(frozen=True)
class Payment:
    order_id: str
    customer_id: str
    amount: Amount
    status: PaymentStatus
    reason: str | None = None


@dataclass(frozen=True)
class PaymentPolicy:
    """When a payment is declined. The demo's card network declines every payment of
    ``declined_customers`` and any payment over ``limit`` (both settings, documented in the README)."""

    declined_customers: frozenset[str]
    limit: Amount

    def decline_reason(self, customer_id: str, amount: Amount) -> str | None:
        if customer_id in self.declined_customers:
            return f"card declined for customer {customer_id}"
        if amount.currency != self.limit.currency:
            return f"only {self.limit.currency} is accepted, not {amount.currency}"
        if amount.minor_units > self.limit.minor_units:
            return f"{amount} is over the limit of {self.limit}"
        return None
