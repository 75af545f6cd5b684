"""Emulator restart mid-flow: once every order is sent and answered, with orders still on their
way, the emulator process is stopped and started again with its state kept (MiniStack's
PERSIST_STATE), as `pizza up --persist-emulator-state` runs it. Every order must still end, each
effect once; an order that does not must show why: its status, a dead letter naming it, or an
outbox event still unsent.

The restart is a real one: `pizza up` stops its MiniStack (which saves its state on the way out),
starts it again (which loads it), and checks that the deployment came back whole
(pizza_ops.emulator_restarts, EmbeddedStack.restart_emulator). What the emulator loses besides
(work in flight in its memory: DynamoDB stream records, durable invocations cut short) the
emulator adapter keeps or does again (ministack_with_fixes.py, fixes 7 and 8); what is left to
survive the cut is the system's own: SQS messages a killed function had received come back after
their visibility timeout, stream batches not yet done are read again, and the consumers' inboxes
and create-once writes take each effect once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import httpx
from boto3.dynamodb.types import TypeDeserializer

from integration_patterns.outbox import OUTBOX
from pizza_ops.chaos.context import CannotStart, ChaosRun
from pizza_ops.chaos.outcome import ChaosResult, Check, StuckOrder
from pizza_ops.chaos.queues import wait_until
from pizza_ops.chaos.saga_ledgers import final_states
from pizza_ops.chaos.stuck import stuck_orders
from pizza_ops.deployed_stack import DeployedStack
from pizza_ops.emulator_restarts import EmulatorRestart, last_restart, request_restart
from pizza_ops.load import LoadPlan, LoadResult
from pizza_ops.load.dynamodb import DynamoDbOrderStates
from pizza_ops.load.plan import planned_orders
from pizza_ops.load.wiring import run_on_stack
from pizza_ops.outbox import event_type_of, pending_events
from pizza_ops.saga_history import NoSuchExecution, find_execution

# How long `pizza up` may take to stop, start and check its emulator.
RESTART_TIMEOUT_SECONDS = 120.0
# How long after the orders ended their outbox events may still be on their way.
_UNSENT_WITHIN_SECONDS = 60
# How long orders stored without a 202 may take to end once the answered ones have.
_UNANSWERED_END_WITHIN_SECONDS = 60
# A client's retry of an order waits this long for its answer.
_RETRY_TIMEOUT_SECONDS = 30.0
# Stuck saga orders whose execution is looked up (each lookup reads the executions one by one).
_SAGA_STATES_LOOKED_UP = 10
SAGA = "order-saga"
_deserializer = TypeDeserializer()


def emulator_restart(run: ChaosRun) -> ChaosResult:
    stack = run.stack
    if last_restart(stack.state_dir) is None:
        raise CannotStart(
            f"the stack of {stack.state_dir} keeps no emulator state across a restart: "
            "start it with `pizza up --persist-emulator-state`"
        )
    dynamodb, orders_table = stack.client("dynamodb"), stack.table("orders")
    states = DynamoDbOrderStates(dynamodb, orders_table)
    mid_flow: list[str] = []
    accepted: list[str] = []
    restarts: list[EmulatorRestart] = []

    async def restart_mid_flow(accepted_ids: Sequence[str]) -> None:
        accepted.extend(accepted_ids)
        found = await asyncio.to_thread(states.read, accepted_ids)
        mid_flow.extend(i for i in accepted_ids if not ((state := found.get(i)) and state.is_final))
        restarts.append(await asyncio.to_thread(request_restart, stack.state_dir, RESTART_TIMEOUT_SECONDS))

    plan = run.plan()
    load = run_on_stack(plan, stack, run.on_progress, after_sending=restart_mid_flow)
    # Orders the API stored without answering 202 (it timed out, or answered 5xx) go on too; the
    # saga's may not have started (the API stopped between storing and starting it): their
    # clients, given no 202, send them again with the same Idempotency-Key, which starts it.
    unanswered = load.stored_unanswered
    unanswered_open = _not_ended(states, unanswered)
    retried = _retried_as_their_clients(stack, states, plan, unanswered_open)
    unanswered_open = _not_ended(states, unanswered_open)
    unsent: dict[str, list[str]] = {}

    def nothing_unsent() -> bool:
        unsent.clear()
        unsent.update(unsent_events(dynamodb, orders_table, [*accepted, *unanswered]))
        return not unsent

    sent_all = wait_until(nothing_unsent, _UNSENT_WITHIN_SECONDS)
    restart = restarts[0] if restarts else None
    ended = set(accepted) - set(load.lost_orders)
    ended_unanswered = set(unanswered) - set(unanswered_open)
    # An order that ended with events still unsent is stuck too: what those events start never happens.
    stuck = (
        _with_saga_state(run, _with_unsent(stuck_orders(run, load.lost_orders), unsent))
        + tuple(
            StuckOrder(order.order_id, f"stored without a 202; {order.reason}")
            for order in _with_saga_state(run, _with_unsent(stuck_orders(run, unanswered_open), unsent))
        )
        + _ended_with_unsent(states, [i for i in unsent if i in ended | ended_unanswered], unsent)
    )
    return ChaosResult(
        scenario="emulator-restart",
        load=load,
        faults=len(mid_flow),
        faults_were="orders on their way when the emulator stopped"
        + (f" (down {restart.down_seconds:.1f} s, its state kept)" if restart else " (no restart happened)"),
        recovered=len(ended & set(mid_flow)),
        recovered_how="of those, orders that ended after the restart",
        checks=(
            Check(
                "the emulator stopped with orders on their way",
                bool(mid_flow),
                f"{len(mid_flow)} of {len(accepted)} orders not final at the stop",
            ),
            _came_back_whole(restart),
            Check(
                "no order left with an outbox event unsent",
                sent_all,
                f"{len(unsent)} order(s) with events unsent" if unsent else "none",
            ),
            Check(
                "the orders stored without a 202 ended too",
                not unanswered_open,
                f"{len(ended_unanswered)} of {len(unanswered)} ended"
                + (f", {len(retried)} after their client's retry with its Idempotency-Key" if retried else ""),
            ),
            _effects_all_there(load),
        ),
        stuck=stuck,
    )


def _not_ended(states: DynamoDbOrderStates, order_ids: list[str]) -> list[str]:
    """The orders not final within a while."""
    found = final_states(states, order_ids, _UNANSWERED_END_WITHIN_SECONDS) if order_ids else {}
    return [order_id for order_id in order_ids if not ((state := found.get(order_id)) and state.is_final)]


def _retried_as_their_clients(
    stack: DeployedStack, states: DynamoDbOrderStates, plan: LoadPlan, order_ids: list[str]
) -> dict[str, str]:
    """POST /orders again for each order, as its client would after no 202: the same order under
    the same Idempotency-Key (the API answers with the stored order, starting its workflow if it
    was not); each order's answer."""
    if not order_ids:
        return {}
    customer_of = {
        order_id: customer
        for customer, ids in states.orders_by_customer(plan.customer_prefix).items()
        for order_id in ids
    }
    planned = {order.customer_id: order for order in planned_orders(plan)}
    url = f"{stack.outputs.api_urls['orders'].rstrip('/')}/orders"
    answers = {}
    with httpx.Client(timeout=_RETRY_TIMEOUT_SECONDS) as http:
        for order_id in order_ids:
            order = planned[customer_of[order_id]]
            try:
                response = http.post(url, json=order.body, headers={"Idempotency-Key": order.idempotency_key})
                answers[order_id] = str(response.status_code)
            except httpx.TransportError as error:
                answers[order_id] = type(error).__name__
    return answers


def _came_back_whole(restart: EmulatorRestart | None) -> Check:
    if restart is None:
        return Check("the deployment came back whole", False, "no restart happened")
    if restart.missing:
        return Check("the deployment came back whole", False, f"lacking: {', '.join(restart.missing)}")
    return Check(
        "the deployment came back whole", True, "every queue, topic, key, stream, API, function and trigger found again"
    )


def _effects_all_there(load: LoadResult) -> Check:
    missing = [anomaly for anomaly in load.anomalies if anomaly.kind == "missing"]
    seen = ", ".join(f"{a.order_id}: no {a.effect}" for a in missing[:3]) + (" ..." if len(missing) > 3 else "")
    return Check(
        "every effect of the orders that ended is there",
        not missing,
        seen if missing else f"{len(load.effects_counted)} kinds of effect counted",
    )


def unsent_events(dynamodb: Any, table: str, order_ids: Sequence[str]) -> dict[str, list[str]]:
    """The orders whose item still holds outbox events, with the types of those events."""
    unsent: dict[str, list[str]] = {}
    for start in range(0, len(order_ids), 100):
        keys = [{"orderId": {"S": order_id}} for order_id in order_ids[start : start + 100]]
        request = {
            table: {
                "Keys": keys,
                "ProjectionExpression": "orderId, #outbox",
                "ConsistentRead": True,
                "ExpressionAttributeNames": {"#outbox": OUTBOX},
            }
        }
        while request:
            answer = dynamodb.batch_get_item(RequestItems=request)
            for raw in answer["Responses"].get(table, []):
                item = {name: _deserializer.deserialize(value) for name, value in raw.items()}
                if events := pending_events(item, ["orderId"]):
                    unsent[item["orderId"]] = [event_type_of(event) for event in events]
            request = answer.get("UnprocessedKeys") or {}
    return unsent


def _ended_with_unsent(
    states: DynamoDbOrderStates, order_ids: Sequence[str], unsent: dict[str, list[str]]
) -> tuple[StuckOrder, ...]:
    found = states.read(order_ids) if order_ids else {}
    return tuple(
        StuckOrder(
            order_id,
            f"{found[order_id].status if order_id in found else 'ended'}, yet its outbox holds unsent: "
            + ", ".join(unsent[order_id]),
        )
        for order_id in order_ids
    )


def _with_saga_state(run: ChaosRun, stuck: tuple[StuckOrder, ...]) -> tuple[StuckOrder, ...]:
    """Saga orders' reasons with their execution's status (the first few: each is looked up by its
    input, as MiniStack keeps no execution names)."""
    if run.workflow != "saga":
        return stuck
    lambda_client, saga = run.stack.client("lambda"), run.stack.function(SAGA)
    told = []
    for order in stuck[:_SAGA_STATES_LOOKED_UP]:
        try:
            arn = find_execution(lambda_client, saga, order.order_id)
        except NoSuchExecution:
            told.append(StuckOrder(order.order_id, f"{order.reason}; no saga execution was started for it"))
            continue
        status = lambda_client.get_durable_execution(DurableExecutionArn=arn)["Status"]
        told.append(StuckOrder(order.order_id, f"{order.reason}; its saga execution is {status} (pizza saga shows it)"))
    return (*told, *stuck[_SAGA_STATES_LOOKED_UP:])


def _with_unsent(stuck: Sequence[StuckOrder], unsent: dict[str, list[str]]) -> tuple[StuckOrder, ...]:
    """The stuck orders' reasons, with the events their outbox still holds unsent."""
    return tuple(
        StuckOrder(order.order_id, f"{order.reason}; its outbox holds unsent: {', '.join(unsent[order.order_id])}")
        if order.order_id in unsent
        else order
        for order in stuck
    )
