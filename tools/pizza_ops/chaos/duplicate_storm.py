"""Duplicate storms: once the run's orders are final, every message that carried them is delivered
again, many times, on every way it can come back: the outbox's stream records to the relay (which
sends each event again), each published event republished on the topic and put on the bus, and
sent straight to each subscriber's queue again (an SQS redelivery). Every effect must stay at one
per order: the inboxes and the business keys absorb the copies."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pizza_ops.chaos.context import ChaosRun
from pizza_ops.chaos.outcome import ChaosResult, Check
from pizza_ops.chaos.queues import wait_for_empty, wait_until
from pizza_ops.chaos.stream_records import stored_events, stream_records_of
from pizza_ops.chaos.stuck import stuck_orders
from pizza_ops.load.dynamodb import DynamoDbOrderStates
from pizza_ops.load.wiring import run_on_stack
from pizza_ops.tap import tapped_queue

RELAY = "order-outbox-publisher"
TOPIC = "order-events"
BUS = "order-events"
# Copies of each message delivered again, on each way.
COPIES = 3
_FINAL_WITHIN_SECONDS = 180
_DRAINED_WITHIN_SECONDS = 180
_RELAY_RECORDS_PER_CALL = 100  # as the relay's trigger batches them


def duplicate_storm(run: ChaosRun) -> ChaosResult:
    stack, system = run.stack, run.system
    sqs, sns = stack.client("sqs"), stack.client("sns")
    replayed: dict[str, int] = {}
    checks: list[Check] = []

    with tapped_queue(sqs, sns, stack.outputs.topic_arns[TOPIC]) as tap_url:

        async def storm(accepted: Sequence[str]) -> None:
            states = DynamoDbOrderStates(stack.client("dynamodb"), stack.table("orders"))
            final = await asyncio.to_thread(
                wait_until,
                lambda: all(state.is_final for state in states.read(accepted).values()),
                _FINAL_WITHIN_SECONDS,
            )
            checks.append(Check("the orders final before the storm", final, f"{len(accepted)} orders"))
            replay = await asyncio.to_thread(_replay_everything, run, set(accepted), tap_url)
            replayed.update(replay.copies)
            checks.append(replay.every_order_replayed(accepted))
            queues = [stack.queue_url(name) for name in ("kitchen-orders", "order-acknowledgements")]
            queues += [stack.queue_url(name) for name in system.topics[TOPIC].subscribers]
            drained = await asyncio.to_thread(wait_for_empty, sqs, queues, _DRAINED_WITHIN_SECONDS)
            checks.append(Check("every copy consumed", drained, "the queues emptied" if drained else "still busy"))

        load = run_on_stack(run.plan(), stack, run.on_progress, after_sending=storm)
    orders_twice = {anomaly.order_id for anomaly in load.duplicated}
    return ChaosResult(
        scenario="duplicate-storm",
        load=load,
        faults=sum(replayed.values()),
        faults_were="copies delivered again: " + ", ".join(f"{count} {way}" for way, count in replayed.items()),
        recovered=load.accepted - len(orders_twice),
        recovered_how="orders whose every effect stayed single through the storm",
        checks=tuple(checks),
        stuck=stuck_orders(run, load.lost_orders),
    )


@dataclass(frozen=True)
class _Replay:
    copies: dict[str, int]
    orders_with_records: set[str]
    orders_with_events: set[str]

    def every_order_replayed(self, order_ids: Sequence[str]) -> Check:
        """A storm proves nothing for an order it found nothing of: each order's stored events and
        published events must have been found (and so replayed)."""
        no_records = [order_id for order_id in order_ids if order_id not in self.orders_with_records]
        no_events = [order_id for order_id in order_ids if order_id not in self.orders_with_events]
        found = f"{len(order_ids) - len(no_records)} with outbox records, {len(order_ids) - len(no_events)} with events"
        missing = f"; none found for {sorted(set(no_records + no_events))[:5]}" if no_records or no_events else ""
        return Check("every order's outbox records and events replayed", not missing, found + missing)


def _replay_everything(run: ChaosRun, order_ids: set[str], tap_url: str) -> _Replay:
    stack, system = run.stack, run.system
    sqs, sns, events, lambda_client = (stack.client(s) for s in ("sqs", "sns", "events", "lambda"))
    published = _tapped_events(sqs, tap_url, order_ids)
    records = [
        record
        for record in stream_records_of(
            stack.client("dynamodb"), stack.client("dynamodbstreams"), stack.table("orders"), "orderId", order_ids
        )
        if stored_events(record)
    ]
    relay = stack.function(RELAY)
    source = system.event_buses[BUS].source()
    subscriber_queues = [stack.queue_url(name) for name in system.topics[TOPIC].subscribers]
    for _ in range(COPIES):
        for start in range(0, len(records), _RELAY_RECORDS_PER_CALL):
            batch = {"Records": records[start : start + _RELAY_RECORDS_PER_CALL]}
            answer = lambda_client.invoke(FunctionName=relay, Payload=json.dumps(batch))
            if "FunctionError" in answer:
                raise RuntimeError(f"the relay failed on replayed records: {answer['Payload'].read()[:300]!r}")
        for body in published:
            sns.publish(TopicArn=stack.outputs.topic_arns[TOPIC], Message=body)
            entry = {
                "EventBusName": stack.outputs.bus_names[BUS],
                "Source": source,
                "DetailType": json.loads(body)["type"],
                "Detail": body,
            }
            if events.put_events(Entries=[entry]).get("FailedEntryCount"):
                raise RuntimeError("the bus refused a replayed event")
            for queue_url in subscriber_queues:
                sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    copies = {
        "outbox stream records to the relay": COPIES * len(records),
        "SNS publishes": COPIES * len(published),
        "EventBridge puts": COPIES * len(published),
        "SQS sends": COPIES * len(published) * len(subscriber_queues),
    }
    return _Replay(
        copies,
        orders_with_records={record["dynamodb"]["Keys"]["orderId"]["S"] for record in records},
        orders_with_events={json.loads(body)["data"]["orderId"] for body in published},
    )


def _tapped_events(sqs: Any, tap_url: str, order_ids: set[str]) -> list[str]:
    """The bodies the topic delivered for the run's orders (the tap saw everything published)."""
    bodies: dict[str, str] = {}
    while True:
        messages = sqs.receive_message(QueueUrl=tap_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        if not messages:
            return list(bodies.values())
        for message in messages:
            event = json.loads(message["Body"])
            if event.get("data", {}).get("orderId") in order_ids:
                bodies[event["id"]] = message["Body"]
            sqs.delete_message(QueueUrl=tap_url, ReceiptHandle=message["ReceiptHandle"])
