"""Sensitive data: the delivery address travels KMS-encrypted, only delivery may decrypt it, and no
log line or span carries it in plaintext."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from integration_support import AwsClients, OrdersApi, Telemetry, eventually, new_id
from pubsub_support import SUBSCRIBERS, SYSTEM, PerSubscriber, PubSub, future_due_time

from pizza_ops.stack import EmbeddedStack

# Which subscribers may read the delivery address. A privacy decision, so it is stated here rather
# than read from the permissions under test; every other function of the system may not.
READS_THE_ADDRESS = PerSubscriber(
    "whether it may read the delivery address",
    {"loyalty": False, "notifications": False, "delivery": True, "analytics": False},
)
# The services an order's messages pass through before order.confirmed reaches the subscribers.
ORDER_FLOW_CONSUMERS = {"kitchen-processor", "acknowledgement-processor"}


def _functions_reading_the_address() -> list[str]:
    return [subscriber.function for subscriber, reads in READS_THE_ADDRESS.items() if reads]


def _functions_refused_the_address() -> list[str]:
    """Every declared function but the readers: the publisher's included."""
    readers = _functions_reading_the_address()
    return [function for function in SYSTEM.functions if function not in readers]


@pytest.fixture
def topic_probe(aws: AwsClients, pubsub: PubSub) -> Iterator[str]:
    """A queue of the test's own, subscribed raw to the order-events topic: what any subscriber sees."""
    queue_url = aws.sqs.create_queue(QueueName=new_id("pii-probe"))["QueueUrl"]
    queue_arn = aws.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": pubsub.topic_arn}},
            }
        ],
    }
    aws.sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})
    subscription = pubsub.sns.subscribe(
        TopicArn=pubsub.topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    yield queue_url
    pubsub.sns.unsubscribe(SubscriptionArn=subscription)
    aws.sqs.delete_queue(QueueUrl=queue_url)


def _published_event(aws: AwsClients, queue_url: str, order_id: str) -> dict[str, Any]:
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


def test_the_address_is_encrypted_in_transit_and_decryptable_by_delivery_only(
    orders_api: OrdersApi, aws: AwsClients, pubsub: PubSub, topic_probe: str
) -> None:
    # Given a delivery order with an address unique to this test
    street = f"{new_id('Privacy')} Street"
    body = {
        "customerId": new_id("customer-pii"),
        "orderType": "delivery",
        "items": [{"pizza": "Marinara", "quantity": 1}],
        "deliveryAddress": {"line1": street, "city": "Naples", "postcode": "80133"},
        "deliveryDueAt": future_due_time(3600 * 5),
    }

    # When it is placed and confirmed
    order_id = orders_api.place(body).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")

    # Then the published event carries the address only as KMS ciphertext
    event = _published_event(aws, topic_probe, order_id)
    assert street not in json.dumps(event)
    encrypted = event["data"]["deliveryAddress"]
    ciphertext = base64.b64decode(encrypted["ciphertext"])
    context = {"orderId": order_id}
    # And delivery decrypted it into its own record
    record = eventually(lambda: pubsub.delivery(order_id), what="the delivery record")
    assert record["line1"]["S"] == street
    # And the roles of the subscribers that may read the address (delivery's) may decrypt it
    for function in _functions_reading_the_address():
        reader_kms = aws.as_function_role(function, "kms")
        plaintext = reader_kms.decrypt(CiphertextBlob=ciphertext, KeyId=encrypted["keyId"], EncryptionContext=context)
        assert json.loads(plaintext["Plaintext"])["line1"] == street, function
    # And every other function's role is refused by IAM, the publisher's included
    for function in _functions_refused_the_address():
        other_kms = aws.as_function_role(function, "kms")
        with pytest.raises(ClientError) as refused:
            other_kms.decrypt(CiphertextBlob=ciphertext, KeyId=encrypted["keyId"], EncryptionContext=context)
        assert refused.value.response["Error"]["Code"] in ("AccessDeniedException", "AccessDenied"), function


def test_no_log_line_or_span_carries_the_plaintext_address(
    orders_api: OrdersApi, aws: AwsClients, pubsub: PubSub, telemetry: Telemetry, stack: EmbeddedStack
) -> None:
    # Given a delivery order whose address parts are unique to this test
    street, postcode = f"{new_id('Secret')} Road", new_id("PC")[:12]
    body = {
        "customerId": new_id("customer-secret"),
        "orderType": "delivery",
        "items": [{"pizza": "Diavola", "quantity": 1}],
        "deliveryAddress": {"line1": street, "line2": "Flat 9", "city": "Naples", "postcode": postcode},
        "deliveryDueAt": future_due_time(3600 * 5),
    }

    # When it goes through every service: API, kitchen, acknowledgement, every subscriber
    order_id = orders_api.place(body).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED")
    eventually(lambda: pubsub.delivery(order_id), what="the delivery record")
    pubsub.wait_for_effects(order_id, "Diavola")
    eventually(
        lambda: (
            {s.service_name for s in telemetry.spans_for_order(order_id) if s.kind == "CONSUMER"}
            >= ORDER_FLOW_CONSUMERS | {subscriber.service for subscriber in SUBSCRIBERS.values()}
        ),
        what="every consumer's span",
    )
    # And the outbox relay has sent its three events (order.placed, order.confirmed, the kitchen alert)
    eventually(lambda: len(telemetry.event_spans(order_id, "INTERNAL", "outbox relay")) >= 3, what="relay spans")

    # Then no span anywhere (names, attributes, events, statuses, links) holds the street or postcode
    for span in telemetry.store.spans_matching({}):
        text = repr(span)
        assert street not in text and postcode not in text, span.name
    # And no log line of any function holds them either
    groups = [g["logGroupName"] for g in aws.logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/")["logGroups"]]
    assert len(groups) >= 7  # every function this order went through has logged
    for group in groups:
        for page in aws.logs.get_paginator("filter_log_events").paginate(logGroupName=group):
            for line in page["events"]:
                assert street not in line["message"] and postcode not in line["message"], group
    # And neither does the emulator's own log
    emulator_log = Path(stack.emulator.log_path)
    if emulator_log.exists():
        log_text = emulator_log.read_text(errors="replace")
        assert street not in log_text and postcode not in log_text
