"""Contract of the PaymentLedger port: its twin and its DynamoDB adapter alike."""

from __future__ import annotations

import pytest
from contract_support import DYNAMODB, IMPLEMENTATIONS, emulator, new_id

from payment_service.domain import Amount, ChargeOutcome, PaymentDeclined, PaymentStatus, RefundOutcome
from payment_service.dynamodb_payments import DynamoDbPayments
from payment_service.ports import PaymentLedger
from twins.payment import InMemoryPayments

AMOUNT = Amount("EUR", 1700)


@pytest.fixture(params=IMPLEMENTATIONS)
def payments(request: pytest.FixtureRequest) -> PaymentLedger:
    if request.param == DYNAMODB:
        aws = emulator(request)
        return DynamoDbPayments(aws.dynamodb, aws.table("payments"))
    return InMemoryPayments()


def test_an_order_is_charged_once(payments: PaymentLedger) -> None:
    # Given an order never charged
    order = new_id("order")

    # When it is charged twice (a replayed step)
    first, second = payments.charge(order, "customer-1", AMOUNT), payments.charge(order, "customer-1", AMOUNT)

    # Then the first charged it, the second found it charged; one CHARGED record with the amount
    assert (first, second) == (ChargeOutcome.CHARGED, ChargeOutcome.ALREADY_CHARGED)
    payment = payments.get(order)
    assert payment is not None and (payment.status, payment.amount) == (PaymentStatus.CHARGED, AMOUNT)


def test_a_refund_happens_once_and_only_for_a_charge(payments: PaymentLedger) -> None:
    # Given a charged order, and one never charged
    charged, never = new_id("order"), new_id("order")
    payments.charge(charged, "customer-1", AMOUNT)

    # When each is refunded, the charged one twice
    outcomes = payments.refund(charged), payments.refund(charged), payments.refund(never)

    # Then only the charge is refunded, once
    assert outcomes == (RefundOutcome.REFUNDED, RefundOutcome.ALREADY_REFUNDED, RefundOutcome.NOTHING_CHARGED)
    refunded = payments.get(charged)
    assert refunded is not None and refunded.status is PaymentStatus.REFUNDED
    assert payments.get(never) is None


def test_a_decline_is_recorded_once_and_then_refuses_a_charge(payments: PaymentLedger) -> None:
    # Given a declined order
    order = new_id("order")
    assert payments.record_decline(order, "c-declined", AMOUNT, "card declined") == "card declined"

    # When it is declined again with another reason / Then the first reason stands
    assert payments.record_decline(order, "c-declined", AMOUNT, "another reason") == "card declined"

    # And a charge for it is refused with that reason; nothing is charged, nothing refunded
    with pytest.raises(PaymentDeclined, match="card declined"):
        payments.charge(order, "c-declined", AMOUNT)
    declined = payments.get(order)
    assert declined is not None and (declined.status, declined.reason) == (PaymentStatus.DECLINED, "card declined")
    assert payments.refund(order) is RefundOutcome.NOTHING_CHARGED
