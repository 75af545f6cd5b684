"""Kitchen outage: the kitchen fails every order for a while under load; its messages pile up in its
DLQ and the DLQ's alarm breaches; the fault is fixed and the DLQ redriven at a pace the kitchen's
trigger allows; every order completes, each effect once.

The fault is a real one, not a switch in the code: the kitchen's table setting names a table that
does not exist (a bad deploy of its configuration), so each write fails and each message is
retried until its receives run out. The fix deploys the setting back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from pizza_ops.chaos.context import ChaosRun
from pizza_ops.chaos.outcome import ChaosResult, Check
from pizza_ops.chaos.queues import depth, wait_until
from pizza_ops.chaos.stuck import stuck_orders
from pizza_ops.deploy.alarms import queue_metric
from pizza_ops.function_settings import environment_of, set_environment
from pizza_ops.load.wiring import run_on_stack
from pizza_ops.redrive import redrive

KITCHEN = "kitchen-processor"
KITCHEN_QUEUE = "kitchen-orders"
TABLE_SETTING = "KITCHEN_ORDERS_TABLE_NAME"
BACKLOG_METRIC = "ApproximateNumberOfMessagesVisible"
# Slack beyond the receives a message gets before it is dead-lettered (each a visibility timeout).
_DEAD_LETTERING_SLACK_SECONDS = 60


def kitchen_outage(run: ChaosRun) -> ChaosResult:
    stack, system = run.stack, run.system
    sqs, lambda_client, cloudwatch = stack.client("sqs"), stack.client("lambda"), stack.client("cloudwatch")
    queue = system.queues[KITCHEN_QUEUE]
    assert queue.dead_letter is not None  # declared: infra/system.yaml
    dlq_name = queue.dead_letter.name
    dlq_url = stack.queue_url(dlq_name)
    # Messages already dead-lettered (poison pills, say) are redriven with the run's, as an
    # operator's redrive would; those that can never succeed come straight back.
    before = depth(sqs, dlq_url)
    (trigger,) = [t for t in system.triggers if t.queue == KITCHEN_QUEUE]
    # Redriven at one message a second per kitchen environment its trigger may run at once.
    pace = trigger.maximum_concurrency
    dead_lettered_within = queue.visibility_timeout_seconds * queue.dead_letter.max_receive_count
    function = stack.function(KITCHEN)
    variables = environment_of(lambda_client, function)
    healthy = variables[TABLE_SETTING]
    seen: dict[str, int] = {}
    checks: list[Check] = []

    async def fix_and_redrive(accepted: Sequence[str]) -> None:
        arrived = await asyncio.to_thread(
            wait_until,
            lambda: depth(sqs, dlq_url) >= before + len(accepted),
            dead_lettered_within + _DEAD_LETTERING_SLACK_SECONDS,
        )
        seen["dead_lettered"] = depth(sqs, dlq_url) - before
        checks.append(
            Check(
                "every order's kitchen message dead-lettered during the outage",
                arrived,
                f"{seen['dead_lettered']} in {dlq_name} for {len(accepted)} orders",
            )
        )
        checks.append(await asyncio.to_thread(_alarm_check, cloudwatch, dlq_url, before + seen["dead_lettered"]))
        await asyncio.to_thread(set_environment, lambda_client, function, {TABLE_SETTING: healthy})
        seen["redriven"] = (await asyncio.to_thread(redrive, sqs, dlq_url, pace)).moved

    set_environment(lambda_client, function, {TABLE_SETTING: f"{healthy}-unreachable"})
    try:
        load = run_on_stack(run.plan(), stack, run.on_progress, after_sending=fix_and_redrive)
    finally:  # whatever happened, the kitchen is left healthy
        set_environment(lambda_client, function, {TABLE_SETTING: healthy})
    back = wait_until(lambda: depth(sqs, dlq_url) == before, _DEAD_LETTERING_SLACK_SECONDS)
    checks.append(
        Check("the DLQ back to what it held before", back, f"{depth(sqs, dlq_url)} message(s), {before} before")
    )
    return ChaosResult(
        scenario="kitchen-outage",
        load=load,
        faults=seen.get("dead_lettered", 0),
        faults_were=f"kitchen messages dead-lettered: its table setting named a missing table ({TABLE_SETTING})",
        recovered=load.completed,
        recovered_how=f"orders completed after the fix and a redrive of {seen.get('redriven', 0)} at {pace} msg/s",
        checks=tuple(checks),
        stuck=stuck_orders(run, load.lost_orders),
    )


def _alarm_check(cloudwatch: Any, dlq_url: str, backlog: int) -> Check:
    """The DLQ backlog alarm, judged on the backlog seen: MiniStack keeps alarms but evaluates none,
    so its state is shown beside what AWS would decide from the same figure."""
    dlq_name = dlq_url.rsplit("/", 1)[-1]
    alarm_name = queue_metric(dlq_name, BACKLOG_METRIC).alarm_name
    alarms = cloudwatch.describe_alarms(AlarmNames=[alarm_name])["MetricAlarms"]
    if not alarms:
        return Check("the DLQ's backlog alarm breached", False, f"no alarm {alarm_name}")
    alarm = alarms[0]
    breaching = backlog > alarm["Threshold"]
    return Check(
        "the DLQ's backlog alarm breached",
        breaching,
        f"{alarm_name}: {backlog} visible > threshold {alarm['Threshold']:g} "
        f"(the emulator evaluates no alarm; its state: {alarm['StateValue']})",
    )
