"""In-memory twin of the payment service's port, for unit tests of the use cases and the saga."""

from __future__ import annotations

from dataclasses import replace

from payment_service.domain import (
    Amount,
    ChargeOutcome,
    Payment,
    PaymentDeclined,
    PaymentStatus,
    RefundOutcome,
)
from payment_service.ports import PaymentLedger


class InMemoryPayments(PaymentLedger):
    def __init__(self) -> None:
        self.payments: dict[str, Payment] = {}

    def charge(self, order_id: str, customer_id: str, amount: Amount) -> ChargeOutcome:
        stored = self.payments.get(order_id)
        if stored is None:
            self.payments[order_id] = Payment(order_id, customer_id, amount, PaymentStatus.CHARGED)
            return ChargeOutcome.CHARGED
        if stored.status is PaymentStatus.DECLINED:
            raise PaymentDeclined(stored.reason or "declined")
        return ChargeOutcome.ALREADY_CHARGED

    def record_decline(self, order_id: str, customer_id: str, amount: Amount, reason: str) -> str:
        stored = self.payments.setdefault(
            order_id, Payment(order_id, customer_id, amount, PaymentStatus.DECLINED, reason)
        )
        return stored.reason or reason

    def refund(self, order_id: str) -> RefundOutcome:
        stored = self.payments.get(order_id)
        if stored is None or stored.status is PaymentStatus.DECLINED:
            return RefundOutcome.NOTHING_CHARGED
        if stored.status is PaymentStatus.REFUNDED:
            return RefundOutcome.ALREADY_REFUNDED
        self.payments[order_id] = replace(stored, status=PaymentStatus.REFUNDED)
        return RefundOutcome.REFUNDED

    def get(self, order_id: str) -> Payment | None:
        return self.payments.get(order_id)
