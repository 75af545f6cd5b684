"""The kitchen does not answer in time: saga orders under load wait for the kitchen's callback, and no
answer comes within the saga's wait. Each order's saga must give up, undo its payment and its stock
reservation exactly once, and end FAILED saying the kitchen did not answer; the kitchen's answer,
when it comes late, must change nothing.

The faults go in through public APIs and are put back: the saga's wait is shortened for the run
(its KITCHEN_ANSWER_TIMEOUT_SECONDS, a new version, its alias moved), and the kitchen's trigger is
disabled while the orders wait, so their requests stay queued. Once every order of the run has
ended, the trigger is enabled again: the kitchen takes every queued order and answers each saga
after its wait is over.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import Any

from pizza_ops.chaos.context import CannotStart, ChaosRun
from pizza_ops.chaos.outcome import ChaosResult, Check
from pizza_ops.chaos.queues import depth, wait_until
from pizza_ops.chaos.saga_ledgers import Stock, final_states, statuses_of, stored_orders
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
    dead_letter = system.queues[KITCHEN_QUEUE].dead_letter
    assert dead_letter is not None  # declared: infra/system.yaml
    kitchen_url, dlq_url = stack.queue_url(KITCHEN_QUEUE), stack.queue_url(dead_letter.name)
    dead_letters_before = depth(sqs, dlq_url)
    plan = run.plan()
    stock = Stock(dynamodb, stack.table("inventory-stock"))
    levels_before = stock.levels(plan.pizzas)
    states = DynamoDbOrderStates(dynamodb, stack.table("orders"))
    seen: dict[str, Any] = {}

    async def wait_out_then_answer_late(_accepted: Sequence[str]) -> None:
        # Every stored order (answered with a 202 or not) ends while the kitchen is away.
        seq_of = await asyncio.to_thread(stored_orders, states, plan)
        seen["seq_of"] = seq_of
        seen["timed_out"] = await asyncio.to_thread(final_states, states, list(seq_of), run.drain_timeout)
        seen["payments"] = await asyncio.to_thread(statuses_of, dynamodb, stack.table("payments"), list(seq_of))
        seen["levels"] = await asyncio.to_thread(stock.levels, plan.pizzas)
        await asyncio.to_thread(_enable, lambda_client, trigger, True)
        # The kitchen takes every queued order and answers each saga after its wait.
        seen["answered"] = await asyncio.to_thread(
            wait_until,
            lambda: (
                depth(sqs, kitchen_url) == 0
                and len(_kitchen_orders(dynamodb, stack.table("kitchen-orders"), list(seq_of))) == len(seq_of)
            ),
            _LATE_ANSWERS_WITHIN_SECONDS,
        )

    try:
        set_environment(lambda_client, saga, {TIMEOUT_SETTING: str(WAIT_FOR_THE_RUN_SECONDS)}, alias)
        _enable(lambda_client, trigger, False)
        load = run_on_stack(plan, stack, run.on_progress, after_sending=wait_out_then_answer_late)
    finally:
        _enable(lambda_client, trigger, True)
        set_environment(lambda_client, saga, {TIMEOUT_SETTING: wait_before}, alias)

    seq_of: dict[str, int] = seen.get("seq_of", {})
    order_ids = list(seq_of)
    timed_out: dict[str, OrderState] = seen.get("timed_out", {})
    reason = f"kitchen did not answer within {WAIT_FOR_THE_RUN_SECONDS} s"
    wrong_end = [
        o for o in order_ids if (s := timed_out.get(o)) is None or (s.status, s.failure_reason) != ("FAILED", reason)
    ]
    payments: dict[str, str] = seen.get("payments", {})
    not_refunded = [o for o in order_ids if payments.get(o) != "REFUNDED"]
    reservations = statuses_of(dynamodb, stack.table("inventory-reservations"), order_ids)
    not_released = [o for o in order_ids if reservations.get(o) != "RELEASED"]
    confirmed = Counter(
        plan.pizzas[seq % len(plan.pizzas)]
        for order_id, seq in seq_of.items()
        if (state := timed_out.get(order_id)) and state.status == "CONFIRMED"
    )
    expected_levels = {pizza: levels_before[pizza] - confirmed[pizza] for pizza in plan.pizzas}
    # After the kitchen's late answers: nothing may have moved.
    after = states.read(order_ids)
    moved = [o for o in order_ids if (a := after.get(o)) is None or (s := timed_out.get(o)) is None or a != s]
    payments_after = statuses_of(dynamodb, stack.table("payments"), order_ids)
    levels_after = stock.levels(plan.pizzas)
    late_answers = len(_kitchen_orders(dynamodb, stack.table("kitchen-orders"), order_ids))
    dead_letters_after = depth(sqs, dlq_url)
    compensated = [o for o in order_ids if o not in wrong_end and o not in not_refunded and o not in not_released]
    checks = (
        Check(
            "each order's saga gave up waiting and ended FAILED with its reason",
            bool(order_ids) and not wrong_end,
            f"{len(wrong_end)} of {len(order_ids)} did not"
            + "".join(f"; {o}: {_ending(timed_out.get(o))}" for o in wrong_end[:3]),
        ),
        Check(
            "each payment refunded, each reservation released",
            not not_refunded and not not_released,
            f"{len(not_refunded)} not refunded, {len(not_released)} not released",
        ),
        Check(
            "each release given back exactly once: stock = before - confirmed orders",
            seen.get("levels") == expected_levels,
            "levels as expected"
            if seen.get("levels") == expected_levels
            else f"{seen.get('levels')} != {expected_levels}",
        ),
        Check(
            "the kitchen answered every order late",
            bool(seen.get("answered")) and late_answers == len(order_ids),
            f"{late_answers} kitchen orders for {len(order_ids)} orders, the kitchen's queue "
            + ("empty" if seen.get("answered") else "not empty"),
        ),
        Check(
            "the late answers changed nothing (orders, payments, stock, the kitchen's DLQ)",
            not moved
            and payments_after == payments
            and levels_after == seen.get("levels")
            and dead_letters_after == dead_letters_before,
            f"{len(moved)} orders moved, payments {'as they were' if payments_after == payments else 'changed'}, "
            f"stock {'as it was' if levels_after == seen.get('levels') else 'changed'}, "
            f"{dead_letters_after - dead_letters_before} new dead letters in {dead_letter.name}",
        ),
    )
    return ChaosResult(
        scenario="kitchen-timeout",
        load=load,
        faults=sum(1 for o in order_ids if (s := timed_out.get(o)) and s.failure_reason == reason),
        faults_were=f"saga waits for the kitchen that ran out ({WAIT_FOR_THE_RUN_SECONDS} s; its trigger off)",
        recovered=len(compensated) if seen.get("levels") == expected_levels else 0,
        recovered_how="orders whose payment was refunded and stock released, once each, before the late answer",
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


def _ending(state: OrderState | None) -> str:
    return f"{state.status} ({state.failure_reason})" if state else "not found"
