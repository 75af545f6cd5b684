"""Test helpers for the integration suite: polling, API and AWS clients, span queries."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import boto3
import httpx
from botocore.config import Config

from cloudwatch_logs import log_group_messages
from integration_patterns.cloudevents_envelope import CORRELATION_ID, REPLY_TO, EventType, new_event, to_json
from integration_patterns.outbox import PENDING_FLAG
from order_service.adapters.dynamodb_order_repository import DynamoDbOrderRepository
from order_service.adapters.outbox_messages import OrderEventMessages
from order_service.domain.events import OrderPlaced
from order_service.domain.order import Order
from pizza_ops.deploy.outputs import StackOutputs
from pizza_ops.function_settings import set_environment
from pizza_ops.telemetry import SpanStore, StoredSpan

T = TypeVar("T")

ORDER_PLACED_V1 = EventType("com.pizza.order.placed", 1)
UNCOOKABLE_PIZZA = "Doomed Calzone"  # the declared demo fault (infra/system.yaml)


# What the functions' runtime configures for S3 (presigned URLs signed with SigV4).
SIGV4 = Config(signature_version="s3v4")


def eventually(probe: Callable[[], T | None], timeout: float = 30, interval: float = 0.3, what: str = "") -> T:
    """Poll ``probe`` until it returns something truthy; fail with ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or probe}")
        time.sleep(interval)


def collection_order(customer_id: str = "customer-1", pizza: str = "Margherita", quantity: int = 1) -> dict[str, Any]:
    return {"customerId": customer_id, "orderType": "collection", "items": [{"pizza": pizza, "quantity": quantity}]}


def delivery_order(customer_id: str = "customer-2") -> dict[str, Any]:
    # A postcode of its own: one as common as "80100" is too generic for the personal data scan
    # (tests/privacy_scan) to look for, so the orders of most delivery tests would go unchecked.
    return {
        "customerId": customer_id,
        "orderType": "delivery",
        "items": [{"pizza": "Diavola", "quantity": 2}],
        "deliveryAddress": {"line1": "1 Crust Street", "city": "Naples", "postcode": new_id("PC")[:12]},
    }


def order_placed_event(order_id: str, *, pizza: str = "Margherita", reply_to: str | None = None) -> str:
    """An ``order.placed.v1`` message as the order service would send it, for driving the kitchen directly."""
    extensions = {CORRELATION_ID: order_id}
    if reply_to:
        extensions[REPLY_TO] = reply_to
    data = {"orderId": order_id, "customerId": "customer-k", "items": [{"pizza": pizza, "quantity": 1}]}
    return to_json(new_event(ORDER_PLACED_V1, "/tests", data, extensions=extensions))


class _KeptPut:
    """Stands in for DynamoDB and keeps the item a repository puts."""

    item: dict[str, Any]

    def put_item(self, **request: Any) -> dict[str, Any]:
        self.item = request["Item"]
        return {}


def order_item_with_stuck_event(order: Order, reply_queue_url: str, stored_at: datetime) -> dict[str, Any]:
    """A new order's item as the order repository writes it, its ``order.placed`` pending since ``stored_at``.

    Without the pending flag: the stream's filter drops the record of its write, so nothing relays the event.
    """
    kept = _KeptPut()
    messages = OrderEventMessages(reply_queue_url=reply_queue_url)
    DynamoDbOrderRepository(kept, "orders", messages.messages, now=lambda: stored_at).add(order, [OrderPlaced(order)])
    return {name: value for name, value in kept.item.items() if name != PENDING_FLAG}


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@dataclass
class OrdersApi:
    http: httpx.Client
    base_url: str

    def place(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post(f"{self.base_url}/orders", json=body, headers=headers)

    def place_raw(self, content: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post(
            f"{self.base_url}/orders", content=content, headers={"content-type": "application/json", **(headers or {})}
        )

    def status(self, order_id: str) -> dict[str, Any] | None:
        response = self.http.get(f"{self.base_url}/orders/{order_id}")
        return response.json() if response.status_code == 200 else None

    def wait_for_status(self, order_id: str, status: str, timeout: float = 30) -> dict[str, Any]:
        return eventually(
            lambda: (s := self.status(order_id)) and s["status"] == status and s,
            timeout=timeout,
            what=f"order {order_id} to be {status}",
        )


class AwsClients:
    def __init__(self, session: boto3.session.Session, endpoint: str, region: str, outputs: StackOutputs) -> None:
        self.outputs = outputs
        self._endpoint, self._region = endpoint, region
        self.sts = session.client("sts", endpoint_url=endpoint, region_name=region)
        self.sqs = session.client("sqs", endpoint_url=endpoint, region_name=region)
        self.dynamodb = session.client("dynamodb", endpoint_url=endpoint, region_name=region)
        self.lambda_ = session.client("lambda", endpoint_url=endpoint, region_name=region)
        self.dynamodbstreams = session.client("dynamodbstreams", endpoint_url=endpoint, region_name=region)
        self.logs = session.client("logs", endpoint_url=endpoint, region_name=region)
        self.kms = session.client("kms", endpoint_url=endpoint, region_name=region)
        self.s3 = session.client("s3", endpoint_url=endpoint, region_name=region, config=SIGV4)

    def as_function_role(self, function: str, service: str) -> Any:
        """A client of ``service`` acting with the function's own execution role (the emulator enforces IAM);
        S3 clients sign with SigV4, as the functions' own do."""
        role = self.lambda_.get_function_configuration(FunctionName=self.outputs.function_names[function])["Role"]
        credentials = self.sts.assume_role(RoleArn=role, RoleSessionName=new_id("role-test"))["Credentials"]
        return boto3.client(
            service,
            endpoint_url=self._endpoint,
            region_name=self._region,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            config=SIGV4 if service == "s3" else None,
        )

    def queue_url(self, logical_name: str) -> str:
        return self.outputs.queue_urls[logical_name]

    def table(self, logical_name: str) -> str:
        return self.outputs.table_names[logical_name]

    def get_item(self, table: str, order_id: str) -> dict[str, Any] | None:
        item = self.dynamodb.get_item(
            TableName=self.table(table), Key={"orderId": {"S": order_id}}, ConsistentRead=True
        )
        return item.get("Item")

    def item_count(self, table: str) -> int:
        return int(self.dynamodb.scan(TableName=self.table(table), Select="COUNT")["Count"])

    def send(self, queue: str, body: str) -> str:
        return str(self.sqs.send_message(QueueUrl=self.queue_url(queue), MessageBody=body)["MessageId"])

    def drain(self, queue: str, *, expect: int, timeout: float = 45) -> list[dict[str, Any]]:
        """Receive and delete messages until ``expect`` have arrived (or time out)."""
        received: list[dict[str, Any]] = []

        def probe() -> bool:
            batch = self.sqs.receive_message(
                QueueUrl=self.queue_url(queue),
                MaxNumberOfMessages=10,
                WaitTimeSeconds=1,
                MessageAttributeNames=["All"],
                MessageSystemAttributeNames=["All"],
            ).get("Messages", [])
            for message in batch:
                self.sqs.delete_message(QueueUrl=self.queue_url(queue), ReceiptHandle=message["ReceiptHandle"])
            received.extend(batch)
            return len(received) >= expect

        eventually(probe, timeout=timeout, interval=0, what=f"{expect} messages on {queue}")
        return received

    def structured_logs(self, function: str) -> list[dict[str, Any]]:
        """The function's JSON log lines (Powertools logger), each stream's oldest first."""
        group = f"/aws/lambda/{self.outputs.function_names[function]}"
        messages = (message.strip() for _, message in log_group_messages(self.logs, group))
        return [json.loads(message) for message in messages if message.startswith("{")]

    def log_lines_for_messages(
        self, function: str, message_ids: set[str], where: Callable[[dict[str, Any]], bool], expect: int | None = None
    ) -> list[dict[str, Any]]:
        """Wait until the function has logged ``expect`` (default: one per id) matching lines about these messages.

        Log delivery lags the side effects a test waits for (a DLQ message can be visible before the
        worker's stdout reaches CloudWatch Logs), so reading the logs once would race.
        """
        wanted = len(message_ids) if expect is None else expect

        def matching() -> list[dict[str, Any]] | None:
            lines = [
                line for line in self.structured_logs(function) if line.get("message_id") in message_ids and where(line)
            ]
            return lines if len(lines) >= wanted else None

        return eventually(matching, timeout=20, what=f"{wanted} log lines from {function} about {sorted(message_ids)}")

    def visible_messages(self, queue: str) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url(queue),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


@dataclass
class Telemetry:
    store: SpanStore

    def spans_for_order(self, order_id: str) -> list[StoredSpan]:
        return self.store.spans_with_attribute("order.id", order_id)

    def traces_of_order(self, order_id: str) -> list[StoredSpan]:
        """Every span of every trace that has a span naming the order (a saga's steps name none)."""
        return [
            span
            for trace_id in self.store.trace_ids_with_attribute("order.id", order_id)
            for span in self.store.spans_of_trace(trace_id)
        ]

    def event_spans(self, order_id: str, kind: str, name_prefix: str) -> list[StoredSpan]:
        """Spans about events whose CloudEvents subject is the order (publications, schedules)."""
        return [
            s
            for s in self.store.spans_with_attribute("cloudevents.event_subject", order_id)
            if s.kind == kind and s.name.startswith(name_prefix)
        ]

    def consumer_spans(self, service: str, order_id: str) -> list[StoredSpan]:
        return [s for s in self.spans_for_order(order_id) if s.service_name == service and s.kind == "CONSUMER"]

    def spans_for_message(self, message_id: str) -> list[StoredSpan]:
        return self.store.spans_with_attribute("messaging.message.id", message_id)

    def consumer_spans_for_message(self, message_id: str, expect: int = 1) -> list[StoredSpan]:
        """Wait for ``expect`` CONSUMER spans of a message.

        A Lambda exports its spans after the handler returns, so they can arrive after the
        side effects (a DLQ message, a table row) that the test waited for.
        """

        def consumer_spans() -> list[StoredSpan] | None:
            spans = [s for s in self.spans_for_message(message_id) if s.kind == "CONSUMER"]
            return spans if len(spans) >= expect else None

        return eventually(consumer_spans, timeout=10, what=f"{expect} CONSUMER spans of message {message_id}")


def set_order_event_channels(aws: AwsClients, channels: str) -> None:
    """Which channels the outbox publisher sends order events on (its ORDER_EVENT_CHANNELS setting)."""
    function = aws.outputs.function_names["order-outbox-publisher"]
    set_environment(aws.lambda_, function, {"ORDER_EVENT_CHANNELS": channels})


def set_order_workflow(aws: AwsClients, workflow: str) -> None:
    """Switch the orders API between "saga" and "choreography" (its ORDER_WORKFLOW setting)."""
    set_environment(aws.lambda_, aws.outputs.function_names["order-api"], {"ORDER_WORKFLOW": workflow})
