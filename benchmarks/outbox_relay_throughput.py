"""Outbox relay throughput: events/s of the relay on a fixed batch of stream records, against MiniStack.

Runs the relay itself (``OutboxRelay.process``, the handler's one call) in this process with real
clients against the emulator, two ways in the same run, alternating rounds:

- one at a time (the relay before batching): one event per send call, marked before the next send
  (``max_batch=1, workers=0``);
- batched: up to 10 events per SendMessageBatch / PublishBatch / PutEvents call, marks on a pool.

Each round writes ``--items`` fresh items to a table, each with two pending events (one to a queue,
one published to SNS and EventBridge, as an order's write with a webhook status change would), then
hands the relay their stream records in invocations of ``--records`` (the trigger's batch size), as
the stream would. It reports events/s per round (median over rounds) and ms per invocation (median,
p50, p99). Figures, not assertions. The relay's spans are recorded (SDK provider, AWS SDK
instrumented) but not exported, as in a function without a collector.

The emulator: ``--endpoint URL`` uses a running one (an embedded stack's, say: the script makes its
own table, queue, topic and bus there, with a unique prefix, and leaves the system's alone);
without it, the script starts MiniStack on a free port and stops it at the end. Nothing of the
system is deployed.

    .venv/bin/python benchmarks/outbox_relay_throughput.py --items 100 --rounds 5
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger
from benchmark_support import percentile, print_figures

from integration_patterns.batch_sends import MAX_BATCH_ENTRIES
from integration_patterns.cloudevents_envelope import EventType, new_event
from integration_patterns.outbox import OutboxMessage, item_with_outbox
from integration_patterns.outbox_relay import WORKERS, OutboxRelay
from integration_patterns.outbox_routes import publish_route, queue_delivery, queue_route
from integration_patterns.pubsub_publisher import CloudEventPublisher, EventBridgeChannel, PublishChannel, SnsChannel
from integration_patterns.sqs_sender import SqsCloudEventSender
from integration_patterns.tracing import configure_tracing
from pizza_ops.deploy.emulator import MiniStackProcess, free_port
from pizza_ops.repository import Repository
from pizza_ops.stack import emulator_credentials_session

REGION = "us-east-1"
THING_PLACED = EventType("com.example.thing.placed", 1)
THING_CHANGED = EventType("com.example.thing.status-changed", 1)
# (max_batch, workers) of each way measured.
WAYS = {"one at a time": (1, 0), "batched": (MAX_BATCH_ENTRIES, WORKERS)}


@dataclass(frozen=True)
class Resources:
    clients: dict[str, Any]
    table: str
    queue_url: str
    topic_arn: str
    bus: str


@contextmanager
def emulator(endpoint: str | None) -> Iterator[str]:
    if endpoint:
        yield endpoint
        return
    state = Path(tempfile.mkdtemp(prefix="outbox-bench-"))
    process = MiniStackProcess(Repository.find().emulator_python, free_port(), state / "ministack.log")
    process.start()
    try:
        yield process.endpoint
    finally:
        process.stop()


def make_resources(endpoint: str) -> Resources:
    session = emulator_credentials_session(REGION)
    clients = {name: session.client(name, endpoint_url=endpoint) for name in ("dynamodb", "sqs", "sns", "events")}
    prefix = f"relay-bench-{uuid.uuid4().hex[:8]}"
    clients["dynamodb"].create_table(
        TableName=prefix,
        KeySchema=[{"AttributeName": "thingId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "thingId", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    queue_url = clients["sqs"].create_queue(QueueName=prefix)["QueueUrl"]
    topic_arn = clients["sns"].create_topic(Name=prefix)["TopicArn"]
    clients["events"].create_event_bus(Name=prefix)
    return Resources(clients, prefix, queue_url, topic_arn, prefix)


def relay_for(resources: Resources, options: tuple[int, int]) -> OutboxRelay:
    clients = resources.clients
    channels: list[PublishChannel] = [
        SnsChannel(clients["sns"], resources.topic_arn),
        EventBridgeChannel(clients["events"], resources.bus, "/bench"),
    ]
    routes = {
        "queue": queue_route(SqsCloudEventSender(clients["sqs"], resources.queue_url)),
        "events": publish_route(CloudEventPublisher(channels, destination_name="bench-events")),
    }
    logger = Logger(service="bench")
    return OutboxRelay(clients["dynamodb"], resources.table, routes, logger, max_batch=options[0], workers=options[1])


def write_items(resources: Resources, count: int) -> list[dict[str, Any]]:
    """Store ``count`` items with two pending events each; returns their stream records."""
    records = []
    for _ in range(count):
        thing = f"t-{uuid.uuid4().hex[:12]}"
        data = {"thingId": thing, "padding": "x" * 400}
        messages = [
            OutboxMessage(
                "queue",
                new_event(THING_PLACED, "/bench", data, subject=thing),
                queue_delivery(group_id=thing, deduplication_id=thing),
            ),
            OutboxMessage("events", new_event(THING_CHANGED, "/bench", data, subject=thing)),
        ]
        item = item_with_outbox({"thingId": {"S": thing}}, messages, datetime.now(UTC))
        resources.clients["dynamodb"].put_item(TableName=resources.table, Item=item)
        records.append({"eventName": "INSERT", "dynamodb": {"Keys": {"thingId": {"S": thing}}, "NewImage": item}})
    return records


def run_round(relay: OutboxRelay, records: list[dict[str, Any]], per_invocation: int) -> tuple[float, list[float]]:
    """Events/s over the round, and ms per invocation."""
    invocations_ms = []
    events = 0
    start = time.perf_counter()
    for first in range(0, len(records), per_invocation):
        began = time.perf_counter()
        events += relay.process({"Records": records[first : first + per_invocation]})
        invocations_ms.append((time.perf_counter() - began) * 1000)
    return events / (time.perf_counter() - start), invocations_ms


@dataclass(frozen=True)
class RelayFigures:
    events_per_second: dict[str, list[float]]  # per way, one per round
    invocation_ms: dict[str, list[float]]  # per way, one per invocation


def measure(endpoint: str, items: int = 100, records: int = 10, rounds: int = 5) -> RelayFigures:
    """Both ways, round after round, on the emulator at ``endpoint`` (resources of their own there)."""
    configure_tracing("outbox-relay-bench", None)
    resources = make_resources(endpoint)
    relays = {way: relay_for(resources, options) for way, options in WAYS.items()}
    write_items(resources, 10)  # warm the clients and the emulator before measuring
    rates: dict[str, list[float]] = {way: [] for way in WAYS}
    latencies: dict[str, list[float]] = {way: [] for way in WAYS}
    for _ in range(rounds):
        for way, relay in relays.items():
            rate, invocations = run_round(relay, write_items(resources, items), records)
            rates[way].append(rate)
            latencies[way].extend(invocations)
    return RelayFigures(rates, latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100, help="items per round (two events each)")
    parser.add_argument("--records", type=int, default=10, help="stream records per invocation")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--endpoint", help="a running emulator's URL; default: start MiniStack")
    args = parser.parse_args()
    with emulator(args.endpoint) as endpoint:
        figures = measure(endpoint, args.items, args.records, args.rounds)
    print(
        f"outbox relay on MiniStack ({endpoint}): {args.rounds} rounds of {args.items} items x 2 events, "
        f"{args.records} records per invocation"
    )
    print(f"{'events/s per round':<22}{'median':>10}{'p50':>10}{'p99':>10}{'min':>10}{'max':>10}")
    for way, values in figures.events_per_second.items():
        print(
            f"{way:<22}{statistics.median(values):>10.1f}{percentile(values, 0.5):>10.1f}"
            f"{percentile(values, 0.99):>10.1f}{min(values):>10.1f}{max(values):>10.1f}"
        )
    ms = figures.invocation_ms
    print_figures({f"{way} (ms/invocation)": values for way, values in ms.items()}, label="", count="calls")
    baseline, batched = (statistics.median(figures.events_per_second[way]) for way in WAYS)
    print(f"batched / one at a time: {batched / baseline:.1f}x events/s")


if __name__ == "__main__":
    main()
