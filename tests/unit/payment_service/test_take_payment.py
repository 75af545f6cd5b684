"""The payment service's rules: who and what is declined, and that a decline charges nothing."""

from __future__ import annotations

import pytest

from payment_service.domain import Amount, ChargeOutcome, PaymentDeclined, PaymentPolicy, PaymentStatus
from payment_service.use_cases import refund_payment, take_payment
from twins.payment import InMemoryPayments

POLICY = PaymentPolicy(declined_customers=frozenset({"c-declined"}), limit=Amount("EUR", 20000))


@pytest.mark.parametrize(
    ("customer", "amount", "reason"),
    [
        ("c-declined", Amount("EUR", 100), "card declined for customer c-declined"),
        ("c-1", Amount("EUR", 20001), "200.01 EUR is over the limit of 200.00 EUR"),
        ("c-1", Amount("GBP", 100), "only EUR is accepted, not GBP"),
    ],
)
def test_a_declined_payment_is_recorded_and_nothing_is_charged(customer: str, amount: Amount, reason: str) -> None:
    # Given a payment the policy declines / When it is taken
    payments = InMemoryPayments()
    with pytest.raises(PaymentDeclined) as declined:
        take_payment("order-1", customer, amount, payments, POLICY)

    # Then it is refused with its reason, recorded as declined, and there is nothing to refund
    assert declined.value.reason == reason
    payment = payments.get("order-1")
    assert payment is not None and payment.status is PaymentStatus.DECLINED
    assert refund_payment("order-1", payments).value == "NOTHING_CHARGED"


def test_the_limit_itself_is_accepted_and_charged_once() -> None:
    # Given an order of exactly the limit / When its payment is taken twice
    payments = InMemoryPayments()
    first = take_payment("order-1", "c-1", Amount("EUR", 20000), payments, POLICY)
    second = take_payment("order-1", "c-1", Amount("EUR", 20000), payments, POLICY)

    # Then it is charged, once
    assert (first, second) == (ChargeOutcome.CHARGED, ChargeOutcome.ALREADY_CHARGED)


def test_a_replayed_decline_gives_the_same_answer() -> None:
    # Given a declined payment / When it is taken again / Then the same decline, still nothing charged
    payments = InMemoryPayments()
    with pytest.raises(PaymentDeclined):
        take_payment("order-1", "c-declined", Amount("EUR", 100), payments, POLICY)
    with pytest.raises(PaymentDeclined, match="card declined for customer c-declined"):
        take_payment("order-1", "c-declined", Amount("EUR", 100), payments, POLICY)
