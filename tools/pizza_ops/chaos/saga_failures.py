"""Saga failures at every step under load: the run's orders fail in turn at each step of the saga,
and what each completed step did must be undone exactly once, in reverse.

Order ``seq`` meets fate ``seq % 4``: it completes; its card is declined at take-payment (its stock
released); the kitchen refuses it while the saga waits for the kitchen's callback (its payment
refunded and its stock released); its pizza is out of stock at reserve-stock (nothing to undo).
The faults are the documented demo rules, deployed for the run's own customers and pizzas: the
saga's DECLINED_CUSTOMERS setting (a new version, its alias moved), the kitchen's UNCOOKABLE_PIZZA,
and one pizza's stock set to 0 in the inventory; all are put back afterwards.

Exactly once is counted where a second undo would show: the stock levels (a release given twice
adds its pizzas back twice) and each payment's status.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from pizza_ops.chaos.context import CannotStart, ChaosRun
from pizza_ops.chaos.outcome import ChaosResult, Check
from pizza_ops.chaos.saga_ledgers import final_states, sell_out, statuses_of, stock_ledger, stored_orders
from pizza_ops.chaos.stuck import stuck_orders
from pizza_ops.function_settings import environment_of, set_environment
from pizza_ops.load import OrderState
from pizza_ops.load.dynamodb import DynamoDbOrderStates
from pizza_ops.load.wiring import run_on_stack

SAGA = "order-saga"
KITCHEN = "kitchen-processor"
DECLINED_SETTING = "DECLINED_CUSTOMERS"
UNCOOKABLE_SETTING = "UNCOOKABLE_PIZZA"
COMPLETING_PIZZA = "Margherita"
DECLINED_PIZZA = "Marinara"
OUT_OF_STOCK_PIZZA = "Calzone"


@dataclass(frozen=True)
class Fate:
    name: str
    status: str  # the order's final status
    reason: str | None  # what its failure reason starts with
    payment: str | None  # the payment's final status (None: no payment)


FATES = (
    Fate("completes", "CONFIRMED", None, "CHARGED"),
    Fate("declined at take-payment", "FAILED", "payment declined", "DECLINED"),
    Fate("refused during the kitchen's callback wait", "FAILED", "kitchen refused", "REFUNDED"),
    Fate("out of stock at reserve-stock", "FAILED", "out of stock", None),
)


def saga_failures(run: ChaosRun) -> ChaosResult:
    if run.workflow != "saga":
        raise CannotStart("saga-failures runs through the saga: add --workflow saga")
    stack, system = run.stack, run.system
    lambda_client, dynamodb = stack.client("lambda"), stack.client("dynamodb")
    uncookable = environment_of(lambda_client, stack.function(KITCHEN)).get(UNCOOKABLE_SETTING, "")
    if not uncookable:
        raise CannotStart(f"the kitchen's {UNCOOKABLE_SETTING} is off: set it (pizza set-env) to run this scenario")
    pizzas = (COMPLETING_PIZZA, DECLINED_PIZZA, uncookable, OUT_OF_STOCK_PIZZA)
    plan = run.plan(pizzas=pizzas)
    saga = stack.function(SAGA)
    durable = system.functions[SAGA].durable
    alias = durable.alias if durable is not None else None
    declined_before = environment_of(lambda_client, saga).get(DECLINED_SETTING, "")
    declined = [plan.customer_id(seq) for seq in range(plan.order_count) if seq % len(FATES) == 1]
    stock = stock_ledger(stack)
    levels_before = stock.levels(pizzas)

    states = DynamoDbOrderStates(dynamodb, stack.table("orders"))
    try:
        set_environment(lambda_client, saga, {DECLINED_SETTING: ",".join([declined_before, *declined])}, alias)
        sell_out(stack, OUT_OF_STOCK_PIZZA)
        load = run_on_stack(plan, stack, run.on_progress)
        # Every stored order, answered or not (a 502 from the API after the order was stored still
        # runs the saga), ends under the faults before they are taken away and it is judged.
        seq_of = stored_orders(states, plan)
        final = final_states(states, list(seq_of), run.drain_timeout)
    finally:
        # Topped back up to what it was: a conditional write that never lowers a restock made meanwhile.
        stock.top_up(OUT_OF_STOCK_PIZZA, levels_before[OUT_OF_STOCK_PIZZA])
        set_environment(lambda_client, saga, {DECLINED_SETTING: declined_before}, alias)
    fate_of = {order_id: FATES[seq % len(FATES)] for order_id, seq in seq_of.items()}
    payments = statuses_of(dynamodb, stack.table("payments"), list(fate_of))
    wrong_end = [
        order_id
        for order_id, fate in fate_of.items()
        if (state := final.get(order_id)) is None
        or state.status != fate.status
        or (fate.reason is not None and not (state.failure_reason or "").startswith(fate.reason))
    ]
    wrong_payment = [order_id for order_id, fate in fate_of.items() if payments.get(order_id) != fate.payment]
    # What the confirmed orders took; every other reservation must have been given back, once.
    confirmed = Counter(
        pizzas[seq % len(FATES)]
        for order_id, seq in seq_of.items()
        if (state := final.get(order_id)) and state.status == "CONFIRMED"
    )
    levels_after = stock.levels(pizzas[:3])
    stock_off = {
        pizza: levels_after[pizza] - (levels_before[pizza] - confirmed[pizza])
        for pizza in pizzas[:3]
        if levels_after[pizza] != levels_before[pizza] - confirmed[pizza]
    }
    # The failed orders that had a step to undo (a reservation; for a refusal, a payment too).
    undone = [
        order_id
        for order_id, fate in fate_of.items()
        if fate.payment in ("DECLINED", "REFUNDED") and order_id not in wrong_end and order_id not in wrong_payment
    ]
    return ChaosResult(
        scenario="saga-failures",
        load=load,
        faults=sum(1 for fate in fate_of.values() if fate.status == "FAILED"),
        faults_were="orders failed on purpose: " + ", ".join(f.name for f in FATES[1:]),
        recovered=0 if stock_off else len(undone),
        recovered_how="failed orders with completed steps, each undone once (stock and payment as they should be)",
        checks=(
            Check(
                "each order ended as its fault says",
                not wrong_end,
                f"{len(wrong_end)} of {len(fate_of)} did not"
                + "".join(f"; {_ending(order_id, final, fate_of)}" for order_id in wrong_end[:3]),
            ),
            Check(
                "each payment charged, declined, refunded or absent as its order's fate says",
                not wrong_payment,
                f"{len(wrong_payment)} not"
                + "".join(f"; {o}: {payments.get(o)} for {fate_of[o].name}" for o in wrong_payment[:3]),
            ),
            Check(
                "each release given back exactly once: stock = before - confirmed orders",
                not stock_off,
                "levels as expected" if not stock_off else f"off by {stock_off}",
            ),
        ),
        stuck=stuck_orders(run, load.lost_orders),
    )


def _ending(order_id: str, final: dict[str, OrderState], fate_of: dict[str, Fate]) -> str:
    state = final.get(order_id)
    ended = f"{state.status} ({state.failure_reason})" if state else "not found"
    return f"{order_id} ended {ended}, meant to have {fate_of[order_id].name}"
