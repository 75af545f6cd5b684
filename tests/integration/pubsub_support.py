"""Helpers for the publish/subscribe tests: the subscribers, their data, and event builders.

The subscribers are those infra/system.yaml declares, so a new one is covered without editing the
tests. What a test expects of each subscriber that the declaration cannot say (its business data,
whether it may read personal data) is a :class:`PerSubscriber` map, which fails the test when a
declared subscriber has no entry in it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

import pytest
from integration_support import AwsClients, eventually

from integration_patterns.cloudevents_envelope import EventType, new_event, to_json
from integration_patterns.field_encryption import KmsFieldCipher
from pizza_ops.repository import Repository
from pizza_ops.system import SystemDeclaration, TableRef, load_system

ORDER_CONFIRMED = "com.pizza.order.confirmed"
EVENTBRIDGE_SOURCE = "pizza.order-service"
# The topic, and the bus, to which the order service publishes its order events.
ORDER_EVENTS = "order-events"
# Where every consumer with an inbox reads its inbox table's name (integration_patterns' InboxSettings).
INBOX_TABLE_VARIABLE = "INBOX_TABLE_NAME"

T = TypeVar("T")


@dataclass(frozen=True)
class Subscriber:
    service: str  # service.name on its spans
    function: str  # logical function name
    queue: str
    dead_letter_queue: str
    inbox_table: str


def declared_subscribers(system: SystemDeclaration) -> dict[str, Subscriber]:
    """The subscribers to order events, by service name: the functions triggered by the queues that
    the order-events topic and the rules of the order-events bus deliver to."""
    rules = system.event_buses[ORDER_EVENTS].rules.values()
    fed = [*system.topics[ORDER_EVENTS].subscribers, *(rule.queue for rule in rules)]
    readers = {t.queue: t.function for t in system.triggers}
    unread = [queue for queue in fed if queue not in readers]
    if unread:
        raise ValueError(f"order events are delivered to queues no function reads: {unread}")
    subscribers = [_subscriber(system, readers[queue], queue) for queue in dict.fromkeys(fed)]
    return {subscriber.service: subscriber for subscriber in subscribers}


def _subscriber(system: SystemDeclaration, function_name: str, queue_name: str) -> Subscriber:
    function, dead_letter = system.functions[function_name], system.queues[queue_name].dead_letter
    inbox = function.environment.get(INBOX_TABLE_VARIABLE)
    if dead_letter is None or not isinstance(inbox, TableRef):
        raise ValueError(
            f"subscriber {function_name} needs a dead-letter queue on {queue_name} and an inbox table"
            f" ({INBOX_TABLE_VARIABLE}: {{table: ...}}) in the declaration"
        )
    return Subscriber(
        service=function.service_name,
        function=function_name,
        queue=queue_name,
        dead_letter_queue=dead_letter.name,
        inbox_table=inbox.table,
    )


SYSTEM = load_system(Repository.find(Path(__file__)).declaration)
SUBSCRIBERS = declared_subscribers(SYSTEM)


class PerSubscriber(Generic[T]):
    """What a test expects of each subscriber, by service name, where the declaration cannot say.

    Read through :meth:`items`, a declared subscriber without an entry (or an entry for a service
    that is no subscriber) fails the test, naming it: a new subscriber cannot go untested unnoticed.
    """

    def __init__(self, what: str, expected: Mapping[str, T]) -> None:
        self.what = what
        self.expected = dict(expected)

    def problems(self, declared: Mapping[str, Subscriber] | None = None) -> list[str]:
        """Why the entries do not match the declared subscribers (none when they do)."""
        names = SUBSCRIBERS if declared is None else declared
        return [
            *(
                f"subscriber {name!r} is declared in infra/system.yaml, but nothing says {self.what}: add an entry"
                for name in names
                if name not in self.expected
            ),
            *(
                f"{name!r} has an entry for {self.what}, but is not a subscriber in infra/system.yaml"
                for name in self.expected
                if name not in names
            ),
        ]

    def items(self, declared: Mapping[str, Subscriber] | None = None) -> list[tuple[Subscriber, T]]:
        """Each declared subscriber with what is expected of it; fails the test if any has no entry."""
        subscribers = SUBSCRIBERS if declared is None else declared
        if problems := self.problems(subscribers):
            pytest.fail("; ".join(problems), pytrace=False)
        return [(subscriber, self.expected[name]) for name, subscriber in subscribers.items()]


# How each subscriber's own data shows that it acted on a confirmed collection order; None where
# such an order means nothing to it.
ActedOn = Callable[["PubSub", str, str], bool]
COLLECTION_ORDER_EFFECTS: PerSubscriber[ActedOn | None] = PerSubscriber(
    "how its data shows it acted on a collection order",
    {
        "loyalty": lambda pubsub, order_id, _pizza: pubsub.loyalty_award(order_id) is not None,
        "notifications": lambda pubsub, order_id, _pizza: pubsub.notification(order_id) is not None,
        "delivery": None,  # it schedules deliveries only
        # The marker is written in one transaction with the counts (pizza names are shared by orders).
        "analytics": lambda pubsub, order_id, _pizza: pubsub.counted_order(order_id) is not None,
    },
)


def collection_order_subscribers() -> list[Subscriber]:
    """The subscribers that act on a confirmed collection order."""
    return [subscriber for subscriber, acted_on in COLLECTION_ORDER_EFFECTS.items() if acted_on is not None]


def order_confirmed(
    order_id: str,
    *,
    version: int = 2,
    customer_id: str = "customer-pubsub",
    pizza: str = "Margherita",
    quantity: int = 2,
    amount: str = "17.00",
    sales_channel: str = "web",
    without: tuple[str, ...] = (),
    event_id: str | None = None,
    delivery_address: dict[str, str] | None = None,
    delivery_due_at: str | None = None,
) -> str:
    """An ``order.confirmed`` event as the order service publishes it: for a collection order, or
    for a delivery order when given an (encrypted, see ``PubSub.encrypted_address``) address."""
    data: dict[str, Any] = {
        "orderId": order_id,
        "customerId": customer_id,
        "orderType": "collection" if delivery_address is None else "delivery",
        "items": [{"pizza": pizza, "quantity": quantity}],
        "confirmedAt": datetime.now(UTC).isoformat(),
        "deliveryDueAt": delivery_due_at,
        "deliveryAddress": delivery_address,
    }
    if version == 1:
        data["amount"] = float(amount)
    else:
        data["amount"] = {"currency": "EUR", "value": amount}
        data["salesChannel"] = sales_channel
    for field in without:
        data.pop(field)
    event = new_event(
        EventType(ORDER_CONFIRMED, version),
        "/tests",
        data,
        subject=order_id,
        new_id=lambda: event_id or str(uuid.uuid4()),
    )
    return to_json(event)


def inbox_record_id(event_id: str) -> str:
    """The key of an event id's inbox record, as Powertools idempotency writes it: the inbox's key
    prefix and the MD5 of the key as JSON (the record's data need not name the event)."""
    return "inbox#" + hashlib.md5(json.dumps(event_id).encode(), usedforsecurity=False).hexdigest()


def future_due_time(seconds_from_now: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds_from_now)).isoformat()


class PubSub:
    """The channels and the subscribers' own data, read the way an operator would."""

    def __init__(self, aws: AwsClients, session: Any, endpoint: str, region: str) -> None:
        self.aws = aws
        self.sns = session.client("sns", endpoint_url=endpoint, region_name=region)
        self.events = session.client("events", endpoint_url=endpoint, region_name=region)
        self.scheduler = session.client("scheduler", endpoint_url=endpoint, region_name=region)
        self.kms = session.client("kms", endpoint_url=endpoint, region_name=region)
        self.sts = session.client("sts", endpoint_url=endpoint, region_name=region)
        self._endpoint = endpoint
        self._region = region

    @property
    def topic_arn(self) -> str:
        return self.aws.outputs.topic_arns["order-events"]

    @property
    def bus_name(self) -> str:
        return self.aws.outputs.bus_names["order-events"]

    @property
    def schedule_group(self) -> str:
        return self.aws.outputs.schedule_group_names["kitchen-alerts"]

    def publish_via_sns(self, body: str) -> None:
        self.sns.publish(TopicArn=self.topic_arn, Message=body)

    def publish_via_eventbridge(self, body: str) -> None:
        detail_type = json.loads(body)["type"]
        response = self.events.put_events(
            Entries=[
                {"EventBusName": self.bus_name, "Source": EVENTBRIDGE_SOURCE, "DetailType": detail_type, "Detail": body}
            ]
        )
        assert response["FailedEntryCount"] == 0, response

    def encrypted_address(self, order_id: str, address: dict[str, str]) -> dict[str, str]:
        """The address as the order service puts it in an event: KMS ciphertext bound to the order."""
        key_arn = self.aws.outputs.key_arns["order-pii"]
        ciphertext = KmsFieldCipher(self.kms, key_arn).encrypt(json.dumps(address), {"orderId": order_id})
        return {"ciphertext": ciphertext, "keyId": key_arn}

    def loyalty_points(self, customer_id: str) -> int:
        item = self._get("loyalty-accounts", {"pk": {"S": f"CUSTOMER#{customer_id}"}})
        return int(item["points"]["N"]) if item else 0

    def loyalty_award(self, order_id: str) -> dict[str, Any] | None:
        return self._get("loyalty-accounts", {"pk": {"S": f"AWARD#{order_id}"}})

    def notification(self, order_id: str) -> dict[str, Any] | None:
        return self._get("notifications", {"orderId": {"S": order_id}})

    def delivery(self, order_id: str) -> dict[str, Any] | None:
        return self._get("deliveries", {"orderId": {"S": order_id}})

    def pizza_orders(self, pizza: str) -> int:
        item = self._get("analytics-pizza-counts", {"pizza": {"S": pizza}})
        return int(item["orders"]["N"]) if item else 0

    def pizzas_ordered(self, pizza: str) -> int:
        item = self._get("analytics-pizza-counts", {"pizza": {"S": pizza}})
        return int(item["pizzas"]["N"]) if item else 0

    def counted_order(self, order_id: str) -> dict[str, Any] | None:
        return self._get("analytics-counted-orders", {"orderId": {"S": order_id}})

    def inbox_status(self, subscriber: Subscriber, event_id: str) -> str | None:
        """The event id's status in the subscriber's inbox (INPROGRESS or COMPLETED); None when absent."""
        record = self._get(subscriber.inbox_table, {"id": {"S": inbox_record_id(event_id)}})
        return record["status"]["S"] if record else None

    def inbox_records(self, subscriber: Subscriber) -> list[dict[str, Any]]:
        table = self.aws.table(subscriber.inbox_table)
        return list(self.aws.dynamodb.scan(TableName=table, ConsistentRead=True).get("Items", []))

    def effects_of(self, order_id: str, pizza: str) -> dict[str, bool]:
        """Whether each subscriber that acts on collection orders has acted on this one."""
        return {
            subscriber.service: acted_on(self, order_id, pizza)
            for subscriber, acted_on in COLLECTION_ORDER_EFFECTS.items()
            if acted_on is not None
        }

    def wait_for_effects(self, order_id: str, pizza: str, timeout: float = 30) -> None:
        services = ", ".join(s.service for s in collection_order_subscribers())
        eventually(
            lambda: all(self.effects_of(order_id, pizza).values()),
            timeout=timeout,
            what=f"{services} to act on order {order_id}",
        )

    def _get(self, logical_table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        table = self.aws.table(logical_table)
        return self.aws.dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def published_event(aws: AwsClients, queue_url: str, order_id: str) -> dict[str, Any]:
    """The order event about ``order_id`` that arrived on ``queue_url`` (a topic probe), as it was on the wire."""
    found: dict[str, Any] = {}

    def probe() -> bool:
        for message in aws.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            event = json.loads(message["Body"])
            if event.get("subject") == order_id:
                found.update(event)
        return bool(found)

    eventually(probe, timeout=30, interval=0, what=f"order.confirmed for {order_id} on the probe queue")
    return found
