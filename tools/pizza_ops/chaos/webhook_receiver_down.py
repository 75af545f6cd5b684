"""A dead or slow webhook receiver: every order of the run names a callback URL whose receiver
answers 503 (down) or answers only after the dispatcher has given up waiting (slow), in turn. The
workflow must not notice; each delivery is retried up to its attempts, then dead-lettered with
its reason, and never tried more.

The receiver is the tool's own, on this machine, so the run deploys the orders API and the
dispatcher allowing its origin, and the dispatcher retrying quickly (3 attempts, 1 then 2 s apart)
so the dead-lettering shows within a minute; both are deployed back afterwards.
"""

from __future__ import annotations

from collections import Counter

from pizza_ops.chaos.context import ChaosRun
from pizza_ops.chaos.outcome import ChaosResult, Check
from pizza_ops.chaos.queues import wait_until
from pizza_ops.chaos.stuck import stuck_orders
from pizza_ops.dead_letters import peek, take
from pizza_ops.deploy.emulator import free_port
from pizza_ops.function_settings import environment_of, set_environment
from pizza_ops.load.wiring import run_on_stack
from pizza_ops.webhook_receiver import WebhookReceiver

API = "order-api"
DISPATCHER = "order-webhook-dispatcher"
WEBHOOK_QUEUE = "order-webhooks"
ORIGINS = "CALLBACK_URL_ALLOWED_ORIGINS"
ATTEMPTS = 3
QUICK_RETRIES = {
    "WEBHOOK_RETRY_BASE_SECONDS": "1",
    "WEBHOOK_RETRY_CAP_SECONDS": "2",
    "WEBHOOK_MAX_ATTEMPTS": str(ATTEMPTS),
}
_DEAD_LETTERED_WITHIN_SECONDS = 300


def webhook_receiver_down(run: ChaosRun) -> ChaosResult:
    stack, system = run.stack, run.system
    lambda_client, sqs = stack.client("lambda"), stack.client("sqs")
    api, dispatcher = stack.function(API), stack.function(DISPATCHER)
    api_before, dispatcher_before = environment_of(lambda_client, api), environment_of(lambda_client, dispatcher)
    dlq_url = stack.queue_url(system.dead_letter_queue(WEBHOOK_QUEUE))
    wait_seconds = float(dispatcher_before.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
    checks: list[Check] = []

    with WebhookReceiver(free_port(), slow_seconds=wait_seconds + 1) as receiver:
        set_environment(lambda_client, api, {ORIGINS: _with_origin(api_before, receiver.origin)})
        set_environment(
            lambda_client, dispatcher, {ORIGINS: _with_origin(dispatcher_before, receiver.origin), **QUICK_RETRIES}
        )
        try:
            plan = run.plan(callback_urls=(f"{receiver.origin}/down", f"{receiver.origin}/slow"))
            load = run_on_stack(plan, stack, run.on_progress)
            attempts: Counter[str] = Counter()
            dead: dict[str, str] = {}

            def every_delivery_dead_lettered() -> bool:
                attempts.clear()
                attempts.update(request.headers.get("webhook-id", "") for request in list(receiver.requests))
                letters = peek(sqs, dlq_url, at_most=1000)
                dead.update((letter.event_id, letter.reason) for letter in letters)
                return bool(attempts) and all(webhook_id in dead for webhook_id in attempts)

            settled = wait_until(every_delivery_dead_lettered, _DEAD_LETTERED_WITHIN_SECONDS, every=3.0)
            # The run's dead letters, counted, are taken out: the DLQ holds what it held before.
            take(sqs, dlq_url, lambda letter: letter.event_id in attempts, 1000)
        finally:
            set_environment(lambda_client, api, {ORIGINS: api_before.get(ORIGINS, "")})
            set_environment(
                lambda_client, dispatcher, {key: dispatcher_before.get(key, "") for key in (ORIGINS, *QUICK_RETRIES)}
            )
    tried_otherwise = {webhook_id: count for webhook_id, count in attempts.items() if count != ATTEMPTS}
    gave_up = [
        webhook_id
        for webhook_id in attempts
        if dead.get(webhook_id, "").startswith(f"gave up after {ATTEMPTS} attempts")
    ]
    checks += [
        Check(
            "the workflow unaffected: every order completed",
            load.completed == load.accepted,
            f"{load.completed} of {load.accepted}",
        ),
        Check(
            f"each delivery tried {ATTEMPTS} times, no more",
            not tried_otherwise,
            "all" if not tried_otherwise else f"{len(tried_otherwise)} not: {sorted(tried_otherwise.values())[:5]}",
        ),
        Check(
            "each delivery then dead-lettered with its reason",
            settled and len(gave_up) == len(attempts),
            f"{len(gave_up)} of {len(attempts)} deliveries",
        ),
    ]
    return ChaosResult(
        scenario="webhook-receiver-down",
        load=load,
        faults=sum(attempts.values()),
        faults_were="webhook requests answered 503 or too late (receiver down for half the orders, slow for the rest)",
        recovered=len(gave_up),
        recovered_how=f"deliveries dead-lettered with their reason after {ATTEMPTS} attempts",
        checks=tuple(checks),
        stuck=stuck_orders(run, load.lost_orders),
    )


def _with_origin(settings: dict[str, str], origin: str) -> str:
    return ",".join(part for part in (settings.get(ORIGINS, ""), origin) if part)
