"""Crashes between the write and the publish: while orders are placed, the outbox relay fails in
turns at each of its two points: it cannot send (its queue, topic and bus are gone), or it sends and
then cannot record that it did (its table is gone), so the stream delivers the batch again and it
sends again. Nothing may be lost, nothing left unsent, and no event sent twice may take effect twice.

The faults are real ones, made by deploying the relay with settings that name missing resources;
the repair deploys its settings back. No switch in the code.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from integration_patterns.outbox import OUTBOX, PENDING_FLAG, STORED_AT
from pizza_ops.chaos.background import Background
from pizza_ops.chaos.context import ChaosRun
from pizza_ops.chaos.outcome import ChaosResult, Check
from pizza_ops.chaos.queues import wait_until
from pizza_ops.chaos.stuck import stuck_orders
from pizza_ops.dynamodb_items import batch_get
from pizza_ops.function_settings import environment_of, set_environment
from pizza_ops.load.wiring import run_on_stack

RELAY = "order-outbox-publisher"
SEND_SETTINGS = ("KITCHEN_QUEUE_URL", "ORDER_EVENTS_TOPIC_ARN", "ORDER_EVENTS_BUS_NAME")
MARK_SETTING = "ORDERS_TABLE_NAME"
# Each fault holds this long before the next (a redeploy of the relay each time).
WINDOW_SECONDS = 2.5
_UNSENT_WITHIN_SECONDS = 120


def relay_crashes(run: ChaosRun) -> ChaosResult:
    stack = run.stack
    lambda_client, dynamodb = stack.client("lambda"), stack.client("dynamodb")
    relay = stack.function(RELAY)
    variables = environment_of(lambda_client, relay)
    healthy = {name: variables[name] for name in (*SEND_SETTINGS, MARK_SETTING)}
    faults = [
        ("sends fail", {name: _missing(healthy[name]) for name in SEND_SETTINGS}),
        ("sends, then its mark fails", {MARK_SETTING: _missing(healthy[MARK_SETTING])}),
    ]
    windows: list[str] = []
    plan = run.plan()
    held_back: set[str] = set()

    def break_in_turns(stop: threading.Event) -> None:
        while not stop.is_set():
            name, broken = faults[len(windows) % len(faults)]
            set_environment(lambda_client, relay, {**healthy, **broken})
            windows.append(name)
            stop.wait(WINDOW_SECONDS)
            # Proof the fault bit: the run's events still unsent a whole window after they were
            # stored (a healthy relay sends within a second).
            held_back.update(_held_back(dynamodb, stack.table("orders"), plan.customer_prefix, WINDOW_SECONDS))

    accepted: list[str] = []
    breaker = Background("relay-faults", break_in_turns)

    async def repair(accepted_ids: Sequence[str]) -> None:
        accepted.extend(accepted_ids)
        await asyncio.to_thread(breaker.finish)
        await asyncio.to_thread(set_environment, lambda_client, relay, healthy)

    try:
        with breaker:
            load = run_on_stack(plan, stack, run.on_progress, after_sending=repair)
    finally:
        set_environment(lambda_client, relay, healthy)
    unsent: list[str] = []

    def nothing_unsent() -> bool:
        unsent[:] = _still_pending(dynamodb, stack.table("orders"), accepted)
        return not unsent

    sent_all = wait_until(nothing_unsent, _UNSENT_WITHIN_SECONDS)
    counts = {name: windows.count(name) for name, _ in faults}
    return ChaosResult(
        scenario="relay-crashes",
        load=load,
        faults=len(windows),
        faults_were="relay fault windows: " + ", ".join(f"{count} x {name}" for name, count in counts.items()),
        recovered=load.completed,
        recovered_how="orders completed once the relay was deployed healthy again",
        checks=(
            Check(
                "the faults held events back",
                bool(held_back),
                f"{len(held_back)} orders seen with an event unsent {WINDOW_SECONDS:g} s after it was stored",
            ),
            Check("no order left with an unsent event", sent_all, f"{len(unsent)} still pending"),
        ),
        stuck=stuck_orders(run, load.lost_orders),
    )


def _missing(value: str) -> str:
    """The name of a resource like ``value`` that does not exist (the last part of a URL or ARN changed)."""
    return f"{value}-gone"


def _still_pending(dynamodb: Any, table: str, order_ids: Sequence[str]) -> list[str]:
    """The orders whose item still flags an event the relay has not recorded as sent."""
    projection = {"ProjectionExpression": "orderId, #pending", "ExpressionAttributeNames": {"#pending": PENDING_FLAG}}
    items = batch_get(dynamodb, table, "orderId", order_ids, projection)
    return [item["orderId"]["S"] for item in items if PENDING_FLAG in item]


def _held_back(dynamodb: Any, table: str, customer_prefix: str, seconds: float) -> set[str]:
    """The run's orders holding an outbox event stored at least ``seconds`` ago and still unsent."""
    since = (datetime.now(UTC) - timedelta(seconds=seconds)).isoformat()
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=table,
        ConsistentRead=True,
        FilterExpression="begins_with(customerId, :prefix) AND attribute_exists(#outbox)",
        ProjectionExpression="orderId, #outbox",
        ExpressionAttributeNames={"#outbox": OUTBOX},
        ExpressionAttributeValues={":prefix": {"S": customer_prefix}},
    )
    return {
        item["orderId"]["S"]
        for page in pages
        for item in page.get("Items", [])
        if any(entry["M"][STORED_AT]["S"] <= since for entry in item[OUTBOX]["M"].values())
    }
