"""The kitchen stops answering in time: saga orders under load wait for the kitchen's callback, and
the kitchen goes away once the first order is confirmed (or half the orders are sent, whichever
comes first), so no answer comes within the saga's wait for the orders whose request reaches it
after. Each such order's saga must give up, undo its payment and its stock reservation exactly
once, and end FAILED saying the kitchen did not answer; the kitchen's answer, when it comes late,
must change nothing. The orders answered in time stay confirmed, charged, their stock taken.

The faults go in through public APIs and are put back: the saga's wait is shortened for the run
(its KITCHEN_ANSWER_TIMEOUT_SECONDS, a new version, its alias moved), and the kitchen's trigger is
disabled, so requests stay queued, until every order of the run has ended. Then the kitchen takes
every queued order and answers each saga after its wait.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pizza_ops.chaos.background import Background
from pizza_ops.chaos.context import CannotStart, ChaosRun
from pizza_ops.chaos.outcome import ChaosResult, Check
from pizza_ops.chaos.queues import depth, wait_until
from pizza_ops.chaos.saga_ledgers import final_states, statuses_of, stock_ledger, stored_orders
from pizza_ops.chaos.stuck import stuck_orders
from pizza_ops.dynamodb_items import batch_get
from pizza_ops.function_settings import environment_of, set_environment
from pizza_ops.load import OrderState
from pizza_ops.load.dynamodb import DynamoDbOrderStates
from pizza_ops.load.wiring import run_on_stack

SAGA = "order-saga"
KITCHEN = "kitchen-processor"
KITCHEN_QUEUE = "kitchen-orders"
TIMEOUT_SETTING = "KITCHEN_ANSWER_TIMEOUT_SECONDS"
# The saga's wait for the run: long enough for its request to reach the kitchen's queue, short
# enough that a run does not wait out the deployed five minutes.
WAIT_FOR_THE_RUN_SECONDS = 10
# How long the kitchen may take to work through the queued orders once it is back.
_LATE_ANSWERS_WITHIN_SECONDS = 120
_CHECK_EVERY_SECONDS = 1.0

TIMED_OUT, ANSWERED = "timed out", "answered in time"


def ending_of(state: OrderState | None, payment: str | None, reservation: str | None, reason: str) -> str | None:
    """How a saga order ended, if as one of the two ways it may: timed out (FAILED with ``reason``,
    its payment refunded, its reservation released) or answered in time (CONFIRMED, charged, its
    stock kept); None for anything else."""
    if state is None:
        return None
    if (state.status, state.failure_reason, payment, reservation) == ("FAILED", reason, "REFUNDED", "RELEASED"):
        return TIMED_OUT
    if (state.status, payment, reservation) == ("CONFIRMED", "CHARGED", "RESERVED"):
        return ANSWERED
    return None


def kitchen_timeout(run: ChaosRun) -> ChaosResult:
    if run.workflow != "saga":
        raise CannotStart("kitchen-timeout runs through the saga: add --workflow saga")
    stack, system = run.stack, run.system
    lambda_client, dynamodb, sqs = stack.client("lambda"), stack.client("dynamodb"), stack.client("sqs")
    saga, kitchen = stack.function(SAGA), stack.function(KITCHEN)
    durable = system.functions[SAGA].durable
    alias = durable.alias if durable is not None else None
    wait_before = environment_of(lambda_client, saga).get(TIMEOUT_SETTING, "")
    trigger = _kitchen_trigger(lambda_client, kitchen, stack.outputs.queue_arns[KITCHEN_QUEUE])
    dlq = system.dead_letter_queue(KITCHEN_QUEUE)
    kitchen_url, dlq_url = stack.queue_url(KITCHEN_QUEUE), stack.queue_url(dlq)
    dead_letters_before = depth(sqs, dlq_url)
    plan = run.plan()
    stock = stock_ledger(stack)
    levels_before = stock.levels(plan.pizzas)
    states = DynamoDbOrderStates(dynamodb, stack.table("orders"))
    kitchen_orders = stack.table("kitchen-orders")
    seen: dict[str, Any] = {}

    kitchen_left = threading.Event()
    left_at: list[datetime] = []

    def time_to_leave() -> bool:
        """Once an order is confirmed, or half the orders are sent (the API stores an order before it
        answers): on a busy stack no order may be confirmed so soon, and then all of them time out."""
        seq_of = stored_orders(states, plan)
        confirmed = any(state.status == "CONFIRMED" for state in states.read(list(seq_of)).values())
        return confirmed or any(seq >= plan.order_count // 2 for seq in seq_of.values())

    def kitchen_away_in_time(stop: threading.Event) -> None:
        while not stop.is_set() and not time_to_leave():
            stop.wait(_CHECK_EVERY_SECONDS)
        if not stop.is_set():
            _enable(lambda_client, trigger, False)
            left_at.append(datetime.now(UTC))
        kitchen_left.set()

    kitchen_away = Background("kitchen-away", kitchen_away_in_time)

    async def judge_then_wait_for_late_answers(_accepted: Sequence[str]) -> None:
        # Every stored order (answered with a 202 or not) ends; only then are they judged.
        await asyncio.to_thread(kitchen_left.wait, run.drain_timeout)
        seq_of = await asyncio.to_thread(stored_orders, states, plan)
        order_ids = list(seq_of)
        seen["seq_of"] = seq_of
        seen["ended"] = await asyncio.to_thread(final_states, states, order_ids, run.drain_timeout)
        seen["payments"] = await asyncio.to_thread(statuses_of, dynamodb, stack.table("payments"), order_ids)
        seen["reservations"] = await asyncio.to_thread(
            statuses_of, dynamodb, stack.table("inventory-reservations"), order_ids
        )
        seen["levels"] = await asyncio.to_thread(stock.levels, plan.pizzas)
        await asyncio.to_thread(_enable, lambda_client, trigger, True)
        # The kitchen works through its queue, answering the timed-out sagas late.
        seen["answered"] = await asyncio.to_thread(
            wait_until,
            lambda: (
                depth(sqs, kitchen_url) == 0
                and len(_kitchen_orders(dynamodb, kitchen_orders, order_ids)) == len(order_ids)
            ),
            _LATE_ANSWERS_WITHIN_SECONDS,
        )

    try:
        set_environment(lambda_client, saga, {TIMEOUT_SETTING: str(WAIT_FOR_THE_RUN_SECONDS)}, alias)
        with kitchen_away:
            load = run_on_stack(plan, stack, run.on_progress, after_sending=judge_then_wait_for_late_answers)
    finally:
        _enable(lambda_client, trigger, True)
        set_environment(lambda_client, saga, {TIMEOUT_SETTING: wait_before}, alias)

    seq_of: dict[str, int] = seen.get("seq_of", {})
    order_ids = list(seq_of)
    ended: dict[str, OrderState] = seen.get("ended", {})
    payments: dict[str, str] = seen.get("payments", {})
    reservations: dict[str, str] = seen.get("reservations", {})
    reason = f"kitchen did not answer within {WAIT_FOR_THE_RUN_SECONDS} s"
    ending = {o: ending_of(ended.get(o), payments.get(o), reservations.get(o), reason) for o in order_ids}
    wrong = [o for o in order_ids if ending[o] is None]
    # Orders placed once the kitchen was away can only have timed out.
    after_it_left = [o for o in order_ids if left_at and (state := ended.get(o)) and state.placed_at > left_at[0]]
    answered_after_it_left = [o for o in after_it_left if ending[o] != TIMED_OUT]
    timed_out = [o for o in order_ids if ending[o] == TIMED_OUT]
    confirmed = Counter(plan.pizzas[seq % len(plan.pizzas)] for o, seq in seq_of.items() if ending[o] == ANSWERED)
    expected_levels = {pizza: levels_before[pizza] - confirmed[pizza] for pizza in plan.pizzas}
    # After the kitchen's late answers: nothing may have moved.
    after = states.read(order_ids)
    moved = [o for o in order_ids if after.get(o) != ended.get(o)]
    payments_after = statuses_of(dynamodb, stack.table("payments"), order_ids)
    levels_after = stock.levels(plan.pizzas)
    late_answers = len(_kitchen_orders(dynamodb, kitchen_orders, order_ids))
    new_dead_letters = depth(sqs, dlq_url) - dead_letters_before
    stock_held = seen.get("levels") == expected_levels
    checks = (
        Check(
            "each order timed out (FAILED with its reason, refunded, released) or was answered in time "
            "(CONFIRMED, charged, stock kept)",
            bool(order_ids) and not wrong,
            f"{len(timed_out)} timed out, {len(order_ids) - len(timed_out) - len(wrong)} answered in time, "
            f"{len(wrong)} neither" + "".join(f"; {o}: {_ending(o, ended, payments, reservations)}" for o in wrong[:3]),
        ),
        Check(
            "every order placed once the kitchen was away timed out",
            bool(after_it_left) and not answered_after_it_left,
            f"{len(after_it_left) - len(answered_after_it_left)} of {len(after_it_left)}"
            + ("" if left_at else "; the kitchen never went away: no order was confirmed"),
        ),
        Check(
            "each release given back exactly once: stock = before - confirmed orders",
            stock_held,
            "levels as expected" if stock_held else f"{seen.get('levels')} != {expected_levels}",
        ),
        Check(
            "the kitchen took every order (late for those timed out)",
            bool(seen.get("answered")) and late_answers == len(order_ids),
            f"{late_answers} kitchen orders for {len(order_ids)} orders, the kitchen's queue "
            + ("empty" if seen.get("answered") else "not empty"),
        ),
        Check(
            "the late answers changed nothing (orders, payments, stock, the kitchen's DLQ)",
            not moved and payments_after == payments and levels_after == seen.get("levels") and not new_dead_letters,
            f"{len(moved)} orders moved, payments {'as they were' if payments_after == payments else 'changed'}, "
            f"stock {'as it was' if levels_after == seen.get('levels') else 'changed'}, "
            f"{new_dead_letters} new dead letters in {dlq}",
        ),
    )
    return ChaosResult(
        scenario="kitchen-timeout",
        load=load,
        faults=sum(1 for o in order_ids if (state := ended.get(o)) and state.failure_reason == reason),
        faults_were=f"saga waits for the kitchen that ran out ({WAIT_FOR_THE_RUN_SECONDS} s; its trigger off)",
        recovered=len(timed_out) if stock_held else 0,
        recovered_how="of those, refunded and released once each, unchanged by the kitchen's late answer",
        checks=checks,
        stuck=stuck_orders(run, load.lost_orders),
    )


def _kitchen_trigger(lambda_client: Any, kitchen: str, queue_arn: str) -> str:
    mappings = lambda_client.list_event_source_mappings(FunctionName=kitchen, EventSourceArn=queue_arn)
    found = mappings["EventSourceMappings"]
    if len(found) != 1:
        raise CannotStart(f"the kitchen has {len(found)} triggers on its queue, not 1")
    uuid: str = found[0]["UUID"]
    if found[0].get("State") not in ("Enabled", "Enabling", "Updating"):
        raise CannotStart(f"the kitchen's trigger is {found[0].get('State')}: enable it first")
    return uuid


def _enable(lambda_client: Any, trigger: str, enabled: bool) -> None:
    lambda_client.update_event_source_mapping(UUID=trigger, Enabled=enabled)


def _kitchen_orders(dynamodb: Any, table: str, order_ids: list[str]) -> list[str]:
    """The orders the kitchen has recorded (it records an order before it answers its saga)."""
    projection = {"ProjectionExpression": "orderId"}
    return [item["orderId"]["S"] for item in batch_get(dynamodb, table, "orderId", order_ids, projection)]


def _ending(order_id: str, ended: dict[str, OrderState], payments: dict[str, str], reservations: dict[str, str]) -> str:
    state = ended.get(order_id)
    status = f"{state.status} ({state.failure_reason})" if state else "not found"
    return f"{status}, payment {payments.get(order_id)}, reservation {reservations.get(order_id)}"
