"""Helpers for the publish/subscribe tests: the four subscribers, their data, and event builders."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from integration_support import AwsClients, eventually

from integration_patterns.cloudevents_envelope import EventType, new_event, to_json
from integration_patterns.field_encryption import KmsFieldCipher

ORDER_CONFIRMED = "com.pizza.order.confirmed"
EVENTBRIDGE_SOURCE = "pizza.order-service"


@dataclass(frozen=True)
class Subscriber:
    service: str  # service.name on its spans
    function: str  # logical function name
    queue: str
    dead_letter_queue: str
    inbox_table: str


SUBSCRIBERS = {
    name: Subscriber(
        service=name,
        function=f"{name}-processor",
        queue=f"{name}-order-events",
        dead_letter_queue=f"{name}-order-events-dlq",
        inbox_table=f"{name}-inbox",
    )
    for name in ("loyalty", "notifications", "delivery", "analytics")
}


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

    def kms_as(self, credentials: dict[str, Any]) -> Any:
        """A KMS client acting with temporary credentials (an assumed role)."""
        return boto3.client(
            "kms",
            endpoint_url=self._endpoint,
            region_name=self._region,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )

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
        """Whether each subscriber has acted on the order (collection orders: no delivery record)."""
        return {
            "loyalty": self.loyalty_award(order_id) is not None,
            "notifications": self.notification(order_id) is not None,
            "analytics": self.pizza_orders(pizza) > 0,
        }

    def wait_for_effects(self, order_id: str, pizza: str, timeout: float = 30) -> None:
        eventually(
            lambda: all(self.effects_of(order_id, pizza).values()),
            timeout=timeout,
            what=f"loyalty, notifications and analytics to act on order {order_id}",
        )

    def _get(self, logical_table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        table = self.aws.table(logical_table)
        return self.aws.dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
