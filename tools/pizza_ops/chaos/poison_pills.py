"""Poison pills under load: messages that can never succeed (not CloudEvents, broken JSON, an order
without items, event versions nobody supports) mixed into a steady stream of orders, on every way in
(the kitchen and acknowledgement queues, the topic, the bus). Each must land in the DLQ of every
consumer that got it, with the reason that consumer gave; the orders around them are unaffected."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from integration_patterns.cloudevents_envelope import EventType, new_event, to_json
from pizza_contracts import KITCHEN_ACKNOWLEDGED_V1, ORDER_CONFIRMED, ORDER_PLACED_V1
from pizza_ops.chaos.background import Background
from pizza_ops.chaos.context import ChaosRun
from pizza_ops.chaos.outcome import ChaosResult, Check
from pizza_ops.chaos.queues import wait_until
from pizza_ops.chaos.stuck import stuck_orders
from pizza_ops.dead_letters import peek, take
from pizza_ops.deployed_stack import DeployedStack
from pizza_ops.load.wiring import run_on_stack
from pizza_ops.system import SystemDeclaration

TOPIC = "order-events"
BUS = "order-events"
UNSUPPORTED_CONFIRMED = EventType(ORDER_CONFIRMED, 3)  # subscribers take v1 and v2
# A round of every kind of pill per this many orders, spread over the sending.
ORDERS_PER_ROUND = 10
# How long dead-lettering may take: at once for a pill (no retries), plus batching windows and load.
_LANDING_SECONDS = 90


@dataclass(frozen=True)
class Pill:
    kind: str
    marker: str  # in its body, unique: how it is found in a DLQ
    dead_letter_queues: tuple[str, ...]  # where it must land (every consumer that receives it)
    send: Callable[[], None]


def poison_pills(run: ChaosRun) -> ChaosResult:
    rounds = max(1, run.orders // ORDERS_PER_ROUND)
    pace = run.orders / run.rate / rounds
    sent: list[Pill] = []
    makers = _Pills(run.stack, run.system).makers()

    def send_rounds(stop: threading.Event) -> None:
        for _ in range(rounds):
            for make in makers:
                pill = make(uuid.uuid4().hex[:12])
                pill.send()
                sent.append(pill)
            if stop.wait(pace):
                return

    with Background("poison-pills", send_rounds):
        load = run_on_stack(run.plan(), run.stack, run.on_progress)
    landed = _wait_for_landing(run, sent)
    expected = sum(len(pill.dead_letter_queues) for pill in sent)
    found = sum(len(queues) for queues in landed.values())
    missing = [f"{pill.kind} in {dlq}" for pill in sent for dlq in pill.dead_letter_queues if dlq not in landed[pill]]
    return ChaosResult(
        scenario="poison-pills",
        load=load,
        faults=len(sent),
        faults_were=f"poison pills sent among the orders ({len(sent) // len(makers)} round(s) of {len(makers)} kinds)",
        recovered=found,
        recovered_how=f"of {expected} dead letters due (a pill lands once per consumer) found with their reason",
        checks=(
            Check(
                "each pill in the DLQ of every consumer that got it, with its reason",
                not missing,
                "all found" if not missing else f"missing: {', '.join(missing[:5])}",
            ),
        ),
        stuck=stuck_orders(run, load.lost_orders),
    )


def _wait_for_landing(run: ChaosRun, pills: list[Pill]) -> dict[Pill, set[str]]:
    """Where each pill was found dead-lettered with a reason its consumer gave (waiting for the rest)."""
    sqs = run.stack.client("sqs")
    landed: dict[Pill, set[str]] = {pill: set() for pill in pills}
    queues = sorted({dlq for pill in pills for dlq in pill.dead_letter_queues})

    def all_landed() -> bool:
        letters = {dlq: peek(sqs, run.stack.queue_url(dlq), 500) for dlq in queues}
        for pill in pills:
            for dlq in pill.dead_letter_queues:
                # A reason attribute is the consumer's verdict; without one, the queue moved it after
                # its retries ran out, which is not what a pill should cost.
                if any(pill.marker in letter.body and letter.reason_given for letter in letters[dlq]):
                    landed[pill].add(dlq)
        return all(landed[pill] == set(pill.dead_letter_queues) for pill in pills)

    wait_until(all_landed, _LANDING_SECONDS, every=2.0)
    # The pills are the run's: once counted they are taken out, so the DLQs hold what they held.
    for dlq in queues:
        take(sqs, run.stack.queue_url(dlq), lambda letter: any(pill.marker in letter.body for pill in pills), 1000)
    return landed


class _Pills:
    """The six kinds of pill, each made with its marker and sent on its own way in; each names the
    DLQs of every consumer that receives it."""

    def __init__(self, stack: DeployedStack, system: SystemDeclaration) -> None:
        self._stack = stack
        self._sqs, self._sns, self._events = stack.client("sqs"), stack.client("sns"), stack.client("events")
        self._topic_arn = stack.outputs.topic_arns[TOPIC]
        self._bus_name, self._source = stack.outputs.bus_names[BUS], system.event_buses[BUS].source()
        self._subscriber_dlqs = tuple(system.dead_letter_queue(queue) for queue in system.topics[TOPIC].subscribers)
        self._kitchen_dlq = system.dead_letter_queue("kitchen-orders")
        self._acknowledgements_dlq = system.dead_letter_queue("order-acknowledgements")

    def makers(self) -> list[Callable[[str], Pill]]:
        return [
            self.not_an_event,
            self.no_items,
            self.broken_acknowledgement,
            self.unsupported_version_on_the_topic,
            self.unsupported_version_on_the_bus,
            self.broken_json,
        ]

    def not_an_event(self, marker: str) -> Pill:
        body = json.dumps({"hello": marker})
        return Pill("not a CloudEvent to kitchen-orders", marker, (self._kitchen_dlq,), self._to_queue(body))

    def no_items(self, marker: str) -> Pill:
        data = {"orderId": f"pill-{marker}", "customerId": "chaos", "items": []}
        body = to_json(new_event(ORDER_PLACED_V1, "/chaos", data))
        return Pill("an order without items to kitchen-orders", marker, (self._kitchen_dlq,), self._to_queue(body))

    def broken_acknowledgement(self, marker: str) -> Pill:
        # An acknowledgement whose data breaks its contract (no orderId).
        body = to_json(new_event(KITCHEN_ACKNOWLEDGED_V1, "/chaos", {"note": marker}))
        send = self._to_queue(body, "order-acknowledgements")
        return Pill("a broken acknowledgement to order-acknowledgements", marker, (self._acknowledgements_dlq,), send)

    def unsupported_version_on_the_topic(self, marker: str) -> Pill:
        send = self._to_topic(_unsupported_version(marker))
        return Pill(f"{UNSUPPORTED_CONFIRMED} on the topic", marker, self._subscriber_dlqs, send)

    def unsupported_version_on_the_bus(self, marker: str) -> Pill:
        send = self._to_bus(_unsupported_version(marker))
        return Pill(f"{UNSUPPORTED_CONFIRMED} on the bus", marker, self._subscriber_dlqs, send)

    def broken_json(self, marker: str) -> Pill:
        send = self._to_topic('{"id": "' + marker + '", "data": ')
        return Pill("broken JSON on the topic", marker, self._subscriber_dlqs, send)

    def _to_queue(self, body: str, queue: str = "kitchen-orders") -> Callable[[], None]:
        return lambda: self._sqs.send_message(QueueUrl=self._stack.queue_url(queue), MessageBody=body)

    def _to_topic(self, body: str) -> Callable[[], None]:
        return lambda: self._sns.publish(TopicArn=self._topic_arn, Message=body)

    def _to_bus(self, body: str) -> Callable[[], None]:
        entry = {
            "EventBusName": self._bus_name,
            "Source": self._source,
            "DetailType": str(UNSUPPORTED_CONFIRMED),
            "Detail": body,
        }
        return lambda: _put(self._events, entry)


def _unsupported_version(marker: str) -> str:
    return to_json(new_event(UNSUPPORTED_CONFIRMED, "/chaos", {"orderId": f"pill-{marker}", "customerId": "chaos"}))


def _put(events: Any, entry: dict[str, str]) -> None:
    response = events.put_events(Entries=[entry])
    if response.get("FailedEntryCount"):
        raise RuntimeError(f"the bus refused a pill: {response['Entries'][0]}")
