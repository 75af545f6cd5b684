"""The payment service's use cases: pure functions over its port and its policy."""

from __future__ import annotations

from payment_service.domain import Amount, ChargeOutcome, PaymentDeclined, PaymentPolicy, RefundOutcome
from payment_service.ports import PaymentLedger


def take_payment(
    order_id: str, customer_id: str, amount: Amount, payments: PaymentLedger, policy: PaymentPolicy
) -> ChargeOutcome:
    """Charge the order once, or decline it (PaymentDeclined, the decline recorded, nothing charged).

    A repeat gives the first answer: charged once, or the same decline.
    """
    reason = policy.decline_reason(customer_id, amount)
    if reason is not None:
        raise PaymentDeclined(payments.record_decline(order_id, customer_id, amount, reason))
    return payments.charge(order_id, customer_id, amount)


def refund_payment(order_id: str, payments: PaymentLedger) -> RefundOutcome:
    """Give the order's charge back, once."""
    return payments.refund(order_id)
