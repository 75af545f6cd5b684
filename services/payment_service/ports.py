"""What the payment service's use cases need from the outside world."""

from __future__ import annotations

from abc import ABC, abstractmethod

from payment_service.domain import Amount, ChargeOutcome, Payment, RefundOutcome


class PaymentLedger(ABC):
    """One payment record per order: charged, refunded or declined, each written once."""

    @abstractmethod
    def charge(self, order_id: str, customer_id: str, amount: Amount) -> ChargeOutcome:
        """Record the order's charge, once: a second call is ALREADY_CHARGED and charges nothing."""

    @abstractmethod
    def record_decline(self, order_id: str, customer_id: str, amount: Amount, reason: str) -> str:
        """Record that the order's payment was declined, once; the reason first recorded."""

    @abstractmethod
    def refund(self, order_id: str) -> RefundOutcome:
        """Refund the order's charge, exactly once; an order never charged is NOTHING_CHARGED."""

    @abstractmethod
    def get(self, order_id: str) -> Payment | None:
        """The order's payment record, if any."""
