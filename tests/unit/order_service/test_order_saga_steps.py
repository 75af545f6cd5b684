"""The order saga, run in-process by the durable execution SDK's test runner, over in-memory twins.

The runner replays the orchestrator exactly as Lambda does (checkpointed steps, a suspension on
the kitchen's callback, re-invocation), so these tests see what each step did, how often, and in
which order the compensations ran.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.lambda_service import ErrorObject
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner
from botocore.exceptions import ClientError

from integration_patterns.saga import REFUSAL_PREFIX, persistent_retry
from inventory_service.domain import ReleaseOutcome
from order_service.domain.events import OrderConfirmed
from order_service.domain.order import Order, OrderItem, OrderStatus, OrderType, PlaceOrder
from order_service.ports import KitchenRequests
from order_service.saga import SagaParticipants, run_order_saga
from order_service.saga_wiring import COMPENSATIONS_FAILED, compensation_failure_alarm
from payment_service.domain import Amount, PaymentPolicy, PaymentStatus, RefundOutcome
from pizza_ops.deploy.alarms import SERVICE_METRICS_NAMESPACE
from pizza_ops.system import load_system
from twins.inventory import InMemoryStockLedger
from twins.orders import InMemoryOrderRepository
from twins.payment import InMemoryPayments

PLACED_AT = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
ACKNOWLEDGED_AT = "2025-03-14T12:00:05+00:00"
POLICY = PaymentPolicy(declined_customers=frozenset({"c-declined"}), limit=Amount("EUR", 20000))
KITCHEN_CALLBACK = "ask-kitchen callback"
THROTTLED = ClientError({"Error": {"Code": "ThrottlingException"}, "ResponseMetadata": {"HTTPStatusCode": 400}}, "X")


class RecordingKitchen(KitchenRequests):
    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []
        self.fail_with: Exception | None = None

    def ask_to_prepare(self, order: Order, callback_id: str) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.asked.append((order.order_id, callback_id))


class CountingStock(InMemoryStockLedger):
    """The twin, counting calls, and failing where a test injects a fault."""

    def __init__(self) -> None:
        super().__init__(initial_stock=10)
        self.releases: list[ReleaseOutcome] = []
        self.fail_reserve: Exception | None = None

    def reserve(self, order_id: str, quantities: Any) -> Any:
        if self.fail_reserve is not None:
            raise self.fail_reserve
        return super().reserve(order_id, quantities)

    def release(self, order_id: str) -> ReleaseOutcome:
        outcome = super().release(order_id)
        self.releases.append(outcome)
        return outcome


class CountingPayments(InMemoryPayments):
    def __init__(self) -> None:
        super().__init__()
        self.refund_attempts = 0
        self.refund_failures: list[Exception] = []
        self.fail_charge: Exception | None = None

    def charge(self, order_id: str, customer_id: str, amount: Amount) -> Any:
        if self.fail_charge is not None:
            raise self.fail_charge
        return super().charge(order_id, customer_id, amount)

    def refund(self, order_id: str) -> RefundOutcome:
        self.refund_attempts += 1
        if self.refund_failures:
            raise self.refund_failures.pop(0)
        return super().refund(order_id)


class FailingConfirmation(InMemoryOrderRepository):
    def __init__(self) -> None:
        super().__init__()
        self.fail_confirm: Exception | None = None

    def save_change(self, order: Order, expected: OrderStatus, events: Any) -> bool:
        if order.status is OrderStatus.CONFIRMED and self.fail_confirm is not None:
            raise self.fail_confirm
        return super().save_change(order, expected, events)


@dataclass
class World:
    orders: FailingConfirmation = field(default_factory=FailingConfirmation)
    stock: CountingStock = field(default_factory=CountingStock)
    payments: CountingPayments = field(default_factory=CountingPayments)
    kitchen: RecordingKitchen = field(default_factory=RecordingKitchen)
    kitchen_timeout_seconds: int = 30
    compensation_attempts: int = 4
    alarms: list[str] = field(default_factory=list)

    def place(self, customer_id: str = "customer-7", pizza: str = "Margherita", quantity: int = 2) -> str:
        command = PlaceOrder(customer_id, (OrderItem(pizza, quantity),), OrderType.COLLECTION)
        order = Order.place("order-1", command, PLACED_AT)
        self.orders.add(order, [])
        return order.order_id

    def participants(self) -> SagaParticipants:
        return SagaParticipants(
            orders=self.orders,
            stock=self.stock,
            payments=self.payments,
            payment_policy=POLICY,
            kitchen=self.kitchen,
            kitchen_timeout_seconds=self.kitchen_timeout_seconds,
            alert_lead_time=timedelta(minutes=30),
            now=lambda: PLACED_AT,
            compensation_retry=persistent_retry(max_attempts=self.compensation_attempts),
            raise_alarm=self.alarms.append,
        )

    def status(self, order_id: str = "order-1") -> tuple[OrderStatus, str | None]:
        order = self.orders.get(order_id)
        assert order is not None
        return order.status, order.failure_reason

    def history(self, order_id: str = "order-1") -> list[OrderStatus]:
        order = self.orders.get(order_id)
        assert order is not None
        return [change.status for change in order.history]


@dataclass
class Run:
    world: World
    runner: DurableFunctionTestRunner
    arn: str
    _result: Any = None

    def kitchen_answers(self) -> None:
        callback_id = self._suspended_on_the_kitchen()
        self.runner.send_callback_success(callback_id, json.dumps({"acknowledgedAt": ACKNOWLEDGED_AT}).encode())

    def kitchen_refuses(self, reason: str) -> None:
        callback_id = self._suspended_on_the_kitchen()
        error = ErrorObject(message=f"{REFUSAL_PREFIX}{reason}", type="Refused", data=None, stack_trace=None)
        self.runner.send_callback_failure(callback_id, error)

    def _suspended_on_the_kitchen(self) -> str:
        """The callback id, once the invocation that asked the kitchen has ended.

        The SDK's test runner (1.2.1) starts the next invocation as soon as a callback is
        answered, even while the one that created it is still checkpointing; the two then race on
        the checkpoint token. Lambda waits for the running invocation; so does this test.
        """
        callback_id = self.runner.wait_for_callback(self.arn, name=KITCHEN_CALLBACK, timeout=20)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            events = self.runner._executor.get_execution_history(self.arn).events
            types = [event.event_type for event in events]
            if "InvocationCompleted" in types or self._submitted(events):
                return callback_id
            time.sleep(0.02)
        raise AssertionError("the saga never finished asking the kitchen")

    @staticmethod
    def _submitted(events: list[Any]) -> bool:
        return any(e.event_type == "StepSucceeded" and e.name == "ask-kitchen" for e in events)

    def result(self) -> Any:
        # Waited for once: the runner's completion event is spent by the first wait.
        if self._result is None:
            self._result = self.runner.wait_for_result(self.arn, timeout=60)
        return self._result

    def step_names(self) -> list[str]:
        return [op.name for op in self.result().operations if op.name]


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def start(world: World) -> Iterator[Callable[[], Run]]:
    def orchestrate(event: dict[str, Any], context: DurableContext) -> dict[str, Any]:
        return run_order_saga(event["orderId"], "execution-1", context, world.participants())

    with DurableFunctionTestRunner(handler=durable_execution(orchestrate), poll_interval=0.05) as runner:

        def begin() -> Run:
            return Run(world, runner, runner.run_async(input=json.dumps({"orderId": "order-1"}), timeout=60))

        yield begin


def test_the_happy_path_takes_each_step_once_and_confirms_the_order(world: World, start: Callable[[], Run]) -> None:
    # Given an order of 2 Margheritas, 10 in stock
    world.place()

    # When the saga runs and the kitchen acknowledges
    run = start()
    run.kitchen_answers()
    result = run.result()

    # Then the order went through every step to CONFIRMED, and order.confirmed is stored with it
    assert result.status.value == "SUCCEEDED"
    assert world.status() == (OrderStatus.CONFIRMED, None)
    assert world.history() == [
        OrderStatus.ACCEPTED,
        OrderStatus.STOCK_RESERVED,
        OrderStatus.PAID,
        OrderStatus.IN_KITCHEN,
        OrderStatus.CONFIRMED,
    ]
    assert [type(event) for event in world.orders.outbox] == [OrderConfirmed]
    # And each effect happened once: stock taken, one charge, one request to the kitchen, no undo
    assert world.stock.levels(["Margherita"]) == {"Margherita": 8}
    charged = world.payments.get("order-1")
    assert charged is not None and charged.status is PaymentStatus.CHARGED
    assert len(world.kitchen.asked) == 1
    assert world.stock.releases == [] and world.payments.refund_attempts == 0
    names = run.step_names()
    for step in ("accept-order", "reserve-stock", "take-payment", "ask-kitchen", "confirm-order"):
        assert names.count(step) == 1, step


def test_a_declined_payment_releases_the_stock_and_charges_nothing(world: World, start: Callable[[], Run]) -> None:
    # Given the documented customer whose payments are always declined
    world.place(customer_id="c-declined")

    # When the saga runs
    result = start().result()

    # Then the order failed for its payment, its stock is back, nothing was charged or refunded
    assert result.status.value == "SUCCEEDED"  # a business failure: the execution itself completed
    assert world.status() == (OrderStatus.FAILED, "payment declined: card declined for customer c-declined")
    assert world.history() == [OrderStatus.ACCEPTED, OrderStatus.STOCK_RESERVED, OrderStatus.FAILED]
    assert world.stock.levels(["Margherita"]) == {"Margherita": 10}
    assert world.stock.releases == [ReleaseOutcome.RELEASED]
    declined = world.payments.get("order-1")
    assert declined is not None and declined.status is PaymentStatus.DECLINED
    assert world.payments.refund_attempts == 0
    assert world.kitchen.asked == []


def test_an_order_over_the_limit_is_declined(world: World, start: Callable[[], Run]) -> None:
    # Given an order above 200.00 EUR (30 Margheritas at 8.50) with enough stock
    world.stock.stock["Margherita"] = 100
    world.place(quantity=30)

    # When the saga runs / Then the payment is declined naming the limit
    start().result()
    assert world.status() == (OrderStatus.FAILED, "payment declined: 255.00 EUR is over the limit of 200.00 EUR")


def test_out_of_stock_fails_the_order_before_anything_is_charged_or_released(
    world: World, start: Callable[[], Run]
) -> None:
    # Given more Margheritas ordered than the 10 in stock
    world.place(quantity=11)

    # When the saga runs
    start().result()

    # Then it fails naming the pizza; no stock moved, so nothing is released; nothing is charged
    assert world.status() == (OrderStatus.FAILED, "out of stock: Margherita")
    assert world.stock.levels(["Margherita"]) == {"Margherita": 10}
    assert world.stock.releases == []
    assert world.payments.get("order-1") is None


def test_a_kitchen_refusal_refunds_then_releases(world: World, start: Callable[[], Run]) -> None:
    # Given an order the kitchen will refuse
    world.place()

    # When the saga asks the kitchen, and the kitchen refuses through the callback
    run = start()
    run.kitchen_refuses("the kitchen cannot make 'Margherita'")
    run.result()

    # Then the payment is refunded and the stock released, in that order (last step first), once each
    assert world.status() == (OrderStatus.FAILED, "kitchen refused: the kitchen cannot make 'Margherita'")
    names = run.step_names()
    assert names.index("refund-payment") < names.index("release-stock")
    assert (names.count("refund-payment"), names.count("release-stock")) == (1, 1)
    refunded = world.payments.get("order-1")
    assert refunded is not None and refunded.status is PaymentStatus.REFUNDED
    assert world.stock.levels(["Margherita"]) == {"Margherita": 10}


def test_no_answer_from_the_kitchen_in_time_is_a_refusal_too(world: World, start: Callable[[], Run]) -> None:
    # Given a kitchen that never answers, and a 1 s callback timeout
    world.kitchen_timeout_seconds = 1
    world.place()

    # When the saga runs and the timeout passes
    start().result()

    # Then the saga compensated and says why
    assert world.status() == (OrderStatus.FAILED, "kitchen did not answer within 1 s")
    assert world.stock.releases == [ReleaseOutcome.RELEASED]
    refunded = world.payments.get("order-1")
    assert refunded is not None and refunded.status is PaymentStatus.REFUNDED


BOOM = ValueError("boom")


def _fail_reserve(world: World) -> None:
    world.stock.fail_reserve = BOOM


def _fail_payment(world: World) -> None:
    world.payments.fail_charge = BOOM


def _fail_kitchen_request(world: World) -> None:
    world.kitchen.fail_with = BOOM


def _fail_confirmation(world: World) -> None:
    world.orders.fail_confirm = BOOM


@pytest.mark.parametrize(
    ("inject", "failed_step", "compensations"),
    [
        (_fail_reserve, "reserve-stock", []),
        (_fail_payment, "take-payment", ["release-stock"]),
        (_fail_kitchen_request, "ask-kitchen", ["refund-payment", "release-stock"]),
        (_fail_confirmation, "confirm-order", ["refund-payment", "release-stock"]),
    ],
)
def test_an_unexpected_error_in_a_step_undoes_every_earlier_step_in_reverse_once(
    world: World,
    start: Callable[[], Run],
    inject: Callable[[World], None],
    failed_step: str,
    compensations: list[str],
) -> None:
    # Given an order, and a fault injected into one step (not a transient one: never retried)
    world.place()
    inject(world)

    # When the saga runs (the kitchen answers if it is asked)
    run = start()
    if failed_step == "confirm-order":
        run.kitchen_answers()
    result = run.result()

    # Then exactly the earlier steps were undone, last first, once each; none that never ran
    names = run.step_names()
    assert [name for name in names if name in ("refund-payment", "release-stock")] == compensations
    assert world.status() == (OrderStatus.FAILED, f"unexpected error in {failed_step}: ValueError")
    # And the execution itself failed (an error, not a business answer), after recording why
    assert result.status.value == "FAILED"
    assert world.stock.levels(["Margherita"]) == {"Margherita": 10}
    assert world.payments.refund_attempts == ("refund-payment" in compensations)


def test_a_compensation_that_fails_transiently_is_retried_and_then_succeeds(
    world: World, start: Callable[[], Run]
) -> None:
    # Given a refund that is throttled once
    world.place()
    world.payments.refund_failures = [THROTTLED]

    # When the kitchen refuses the order
    run = start()
    run.kitchen_refuses("no dough")
    run.result()

    # Then the refund ran twice (one throttled attempt, one that worked), the release once
    assert world.payments.refund_attempts == 2
    refunded = world.payments.get("order-1")
    assert refunded is not None and refunded.status is PaymentStatus.REFUNDED
    assert world.stock.releases == [ReleaseOutcome.RELEASED]
    assert world.status() == (OrderStatus.FAILED, "kitchen refused: no dough")


def test_a_compensation_that_keeps_failing_leaves_the_order_compensation_failed(
    world: World, start: Callable[[], Run]
) -> None:
    # Given a refund that fails every time it is tried (2 tries allowed)
    world.compensation_attempts = 2
    world.place()
    world.payments.refund_failures = [BOOM, BOOM, BOOM]

    # When the kitchen refuses the order
    run = start()
    run.kitchen_refuses("no dough")
    result = run.result()

    # Then the order is COMPENSATION_FAILED, naming the undo that failed; the execution fails
    status, reason = world.status()
    assert status is OrderStatus.COMPENSATION_FAILED
    assert reason is not None and reason.startswith("kitchen refused: no dough; then refund-payment kept failing")
    assert result.status.value == "FAILED"
    assert world.payments.refund_attempts == 2
    # And an operator is alarmed, once, with the same reason
    assert world.alarms == [reason]


def test_the_compensation_alarm_is_an_embedded_metric_the_deployment_alarms_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given the saga's alarm, as its wiring builds it / When it is raised
    compensation_failure_alarm("order-saga")("refund-payment kept failing")

    # Then one CloudWatch embedded-metric line counts CompensationsFailed for the service, in the
    # namespace and under the name the deployment's alarm watches (infra/system.yaml)
    [line] = [json.loads(out) for out in capsys.readouterr().out.splitlines() if out.startswith("{")]
    [directive] = line["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == SERVICE_METRICS_NAMESPACE
    assert [m["Name"] for m in directive["Metrics"]] == [COMPENSATIONS_FAILED]
    assert line[COMPENSATIONS_FAILED] == [1.0] or line[COMPENSATIONS_FAILED] == 1.0
    assert line["service"] == "order-saga"
    saga = load_system().functions["order-saga"]
    assert saga.durable is not None and saga.durable.alarm_metric == COMPENSATIONS_FAILED


def test_a_step_that_fails_transiently_is_retried_and_has_one_effect(world: World, start: Callable[[], Run]) -> None:
    # Given a payment service throttled once
    world.place()
    throttled = [THROTTLED]
    charge = world.payments.charge

    def charge_once_throttled(order_id: str, customer_id: str, amount: Amount) -> Any:
        if throttled:
            raise throttled.pop()
        return charge(order_id, customer_id, amount)

    world.payments.charge = charge_once_throttled  # type: ignore[method-assign]

    # When the saga runs and the kitchen answers
    run = start()
    run.kitchen_answers()
    run.result()

    # Then the payment step was retried, not compensated: the order is confirmed, charged once
    assert world.status() == (OrderStatus.CONFIRMED, None)
    assert throttled == []
    charged = world.payments.get("order-1")
    assert charged is not None and charged.status is PaymentStatus.CHARGED
    assert world.payments.refund_attempts == 0
