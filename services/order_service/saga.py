"""The order saga: the orchestrated way an order goes through, beside the choreographed chain.

Plain Python on the durable execution SDK. Each step calls one use case of the service that owns
it, through that service's port; the business rules stay in the services. The order:

    accept-order → reserve-stock → take-payment → ask-kitchen (wait for its callback) → confirm-order

``confirm-order`` stores ``order.confirmed`` with the order (the outbox), so the subscribers hear
of a saga's order exactly as of a choreographed one. A refusal (out of stock, payment declined,
the kitchen cannot make it or does not answer in time) or an unexpected error undoes what was
done, last first: ``refund-payment``, ``release-stock``; then the order is FAILED with its reason.
If an undo keeps failing, the order is COMPENSATION_FAILED and the execution fails, for a person.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aws_durable_execution_sdk_python import DurableContext

from integration_patterns.saga import CompensationFailed, RetryStrategy, Saga, StepFailed, StepRefused, persistent_retry
from inventory_service.domain import OutOfStock, StockLine
from inventory_service.ports import StockLedger
from inventory_service.use_cases import release_stock, reserve_stock
from order_service.domain.order import OrderStatus
from order_service.ports import KitchenRequests, OrderRepository
from order_service.use_cases import confirm_order, fail_order, record_progress, take_order_for_workflow
from payment_service.domain import Amount, PaymentDeclined, PaymentPolicy
from payment_service.ports import PaymentLedger
from payment_service.use_cases import refund_payment, take_payment

# Expected business outcomes: the saga compensates them, and never retries them.
REFUSALS: tuple[type[Exception], ...] = (OutOfStock, PaymentDeclined)

# How a support engineer reads each step's refusal in the order's failureReason.
_REFUSAL_LABELS = {
    "reserve-stock": "out of stock",
    "take-payment": "payment declined",
    "ask-kitchen": "kitchen refused",
}


@dataclass(frozen=True)
class SagaParticipants:
    """The services the saga's steps call, each through its own port, and the saga's settings."""

    orders: OrderRepository
    stock: StockLedger
    payments: PaymentLedger
    payment_policy: PaymentPolicy
    kitchen: KitchenRequests
    kitchen_timeout_seconds: int
    alert_lead_time: timedelta
    now: Callable[[], datetime]
    # How an undo is retried before the order is COMPENSATION_FAILED.
    compensation_retry: RetryStrategy = field(default_factory=persistent_retry)
    # Tells an operator (an alarmed metric) that an order needs a person.
    raise_alarm: Callable[[str], None] = lambda reason: None


def run_order_saga(order_id: str, workflow_id: str, context: DurableContext, p: SagaParticipants) -> dict[str, Any]:
    """Take the order through its steps; the result names the order's final status."""
    saga = Saga(context, refusals=REFUSALS, compensation_retry=p.compensation_retry)
    order = saga.step("accept-order", lambda: _accept(order_id, workflow_id, p))
    if order is None:
        # A second execution for an order another one has: it does nothing (see take_order_for_workflow).
        return {"orderId": order_id, "outcome": "another execution has this order"}
    try:
        saga.step(
            "reserve-stock",
            lambda: _reserve(order_id, order["items"], p),
            compensation=("release-stock", lambda: release_stock(order_id, p.stock).value),
        )
        saga.step(
            "take-payment",
            lambda: _pay(order_id, order, p),
            compensation=("refund-payment", lambda: refund_payment(order_id, p.payments).value),
        )
        answer = saga.wait_for_callback(
            "ask-kitchen", lambda callback_id: _ask(order_id, callback_id, p), p.kitchen_timeout_seconds
        )
        acknowledged_at = datetime.fromisoformat(answer["acknowledgedAt"])
        saga.step(
            "confirm-order",
            lambda: confirm_order(order_id, acknowledged_at, p.orders, p.alert_lead_time, p.now).status.value,
        )
    except StepRefused as refusal:
        return _give_up(saga, order_id, _refusal_reason(refusal, p), p)
    except StepFailed as failure:
        _give_up(saga, order_id, f"unexpected error in {failure.step}: {failure.error_type}", p)
        raise
    return {"orderId": order_id, "status": OrderStatus.CONFIRMED.value}


def _accept(order_id: str, workflow_id: str, p: SagaParticipants) -> dict[str, Any] | None:
    """What the later steps need of the order (no personal data: it goes into the execution's log)."""
    order = take_order_for_workflow(order_id, workflow_id, p.orders)
    if order is None:
        return None
    return {
        "customerId": order.customer_id,
        "items": [[item.pizza, item.quantity] for item in order.items],
        "total": [order.total.currency, order.total.minor_units],
    }


def _reserve(order_id: str, items: list[list[Any]], p: SagaParticipants) -> str:
    lines = [StockLine(pizza, int(quantity)) for pizza, quantity in items]
    outcome = reserve_stock(order_id, lines, p.stock)
    record_progress(order_id, OrderStatus.STOCK_RESERVED, p.orders, p.now)
    return outcome.value


def _pay(order_id: str, order: Mapping[str, Any], p: SagaParticipants) -> str:
    currency, minor_units = order["total"]
    amount = Amount(currency, int(minor_units))
    outcome = take_payment(order_id, order["customerId"], amount, p.payments, p.payment_policy)
    record_progress(order_id, OrderStatus.PAID, p.orders, p.now)
    return outcome.value


def _ask(order_id: str, callback_id: str, p: SagaParticipants) -> None:
    order = record_progress(order_id, OrderStatus.IN_KITCHEN, p.orders, p.now)
    p.kitchen.ask_to_prepare(order, callback_id)


def _refusal_reason(refusal: StepRefused, p: SagaParticipants) -> str:
    if refusal.step == "ask-kitchen" and refusal.reason.startswith("no answer"):
        return f"kitchen did not answer within {p.kitchen_timeout_seconds} s"
    label = _REFUSAL_LABELS.get(refusal.step, refusal.step)
    reason = refusal.reason.removeprefix(f"{label}: ")
    return f"{label}: {reason}"


def _give_up(saga: Saga, order_id: str, reason: str, p: SagaParticipants) -> dict[str, Any]:
    """Undo what was done, last first, then record why the order failed."""
    try:
        saga.compensate()
    except CompensationFailed as failure:
        stuck = f"{reason}; then {failure.compensation} kept failing ({failure.cause}): needs a person"

        def record_and_alarm() -> str:
            failed = fail_order(order_id, stuck, p.orders, p.now, OrderStatus.COMPENSATION_FAILED)
            p.raise_alarm(stuck)
            return failed.status.value

        saga.step("record-compensation-failed", record_and_alarm)
        raise
    saga.step("record-failure", lambda: fail_order(order_id, reason, p.orders, p.now).status.value)
    return {"orderId": order_id, "status": OrderStatus.FAILED.value, "failureReason": reason}
