"""The claim check on the emulator: an order too large for any message goes through every path, and
each claim that cannot be redeemed sends its message to the subscriber's DLQ with the reason.

What was tried: a catering order of about 300 KB (SQS, SNS and EventBridge take 256 KB), through the
choreography (presigned URLs, then bucket-and-key claims) and the saga; claims whose URL expired,
whose signature was altered, whose object was deleted or overwritten, and one the subscriber's role
may not read. MiniStack stores the bucket's lifecycle rule but never applies it (its S3 has no
expiration processing in 1.5.33): that objects expire is checked on the deployed configuration here,
and statically on Terraform and the declaration.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from integration_support import AwsClients, OrdersApi, Telemetry, eventually, new_id, set_order_workflow
from pubsub_support import SUBSCRIBERS, PubSub, future_due_time, order_confirmed, published_event

from integration_patterns.claim_check import ClaimCheck, ClaimPolicy, digest_of
from integration_patterns.cloudevents_envelope import from_json, new_event, to_json
from integration_patterns.dead_letter import DEAD_LETTER_REASON_ATTRIBUTE
from integration_patterns.s3_claim_store import S3ClaimStore
from order_service.api_models import MAX_ORDER_BODY_BYTES
from pizza_contracts import DELIVERY_DUE_SOON_V1, ORDER_CONFIRMED
from pizza_ops.function_settings import set_environment
from pizza_ops.telemetry import StoredSpan

MESSAGE_LIMIT = 256 * 1024
# Every menu pizza but the two other tests count on (Capricciosa) or fail on (Doomed Calzone).
CATERING_PIZZAS = ("Margherita", "Marinara", "Diavola", "Quattro Formaggi", "Calzone")
# The functions that store order events in the choreography: order.placed, then order.confirmed.
CHOREOGRAPHY_WRITERS = ("order-api", "order-acknowledgement-processor")


def catering_order(order_type: str = "delivery", lines: int = 560) -> dict[str, Any]:
    """An order whose events are well over 256 KB: many lines, each with its label and notes."""
    customer_id = new_id("customer-catering")
    notes = "gluten-free base, no basil, extra oregano, cut in eight, keep warm until noon; " * 6
    body: dict[str, Any] = {
        "customerId": customer_id,
        "orderType": order_type,
        "items": [
            {"pizza": CATERING_PIZZAS[i % len(CATERING_PIZZAS)], "quantity": 1, "notes": f"Box {i:04d}: {notes}"[:480]}
            for i in range(lines)
        ],
    }
    if order_type == "delivery":
        body["deliveryAddress"] = {
            "line1": "1 Conference Centre",
            "city": "Naples",
            "postcode": "80133",
            "notes": "Loading dock B; ask for the catering manager",
        }
        body["deliveryDueAt"] = future_due_time(3600 * 5)
    size = len(json.dumps(body).encode())
    assert MESSAGE_LIMIT * 1.1 < size < MAX_ORDER_BODY_BYTES, size
    return body


def _key_of(aws: AwsClients, bucket: str, claim: str) -> str:
    """The object key a claim (a URL, or bucket and key) names."""
    return S3ClaimStore(aws.s3, bucket).describe(claim).key


def _object(aws: AwsClients, bucket: str, key: str) -> bytes:
    body: bytes = aws.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return body


def _settled_copies(telemetry: Telemetry, service: str, event_id: str) -> list[StoredSpan] | None:
    spans = [
        span
        for span in telemetry.store.spans_with_attribute("cloudevents.event_id", event_id)
        if span.service_name == service and span.kind == "CONSUMER"
    ]
    settled = [s for s in spans if s.attributes.get("messaging.inbox.outcome") in ("processed", "duplicate")]
    return spans if len(settled) >= 2 else None


def _assert_processed_once_by_every_subscriber(telemetry: Telemetry, event_id: str) -> None:
    for subscriber in SUBSCRIBERS.values():
        spans = eventually(
            lambda s=subscriber: _settled_copies(telemetry, s.service, event_id),
            timeout=45,
            what=f"both copies of {event_id} settled by {subscriber.service}",
        )
        assert {s.attributes["messaging.delivery.envelope"] for s in spans} == {"eventbridge", "none"}
        outcomes = [s.attributes.get("messaging.inbox.outcome") for s in spans]
        assert outcomes.count("processed") == 1 and outcomes.count("duplicate") == 1, (subscriber.service, outcomes)


@pytest.fixture
def bucket(aws: AwsClients) -> str:
    return aws.outputs.bucket_names["claim-checks"]


@pytest.fixture
def bucket_key_claims(aws: AwsClients) -> Iterator[None]:
    """The choreography's writers hand out bucket-and-key claims instead of presigned URLs."""
    for function in CHOREOGRAPHY_WRITERS:
        set_environment(aws.lambda_, aws.outputs.function_names[function], {"CLAIM_CHECK_MODE": "bucket_key"})
    yield
    for function in CHOREOGRAPHY_WRITERS:
        set_environment(aws.lambda_, aws.outputs.function_names[function], {"CLAIM_CHECK_MODE": "presigned_url"})


@pytest.fixture
def saga(aws: AwsClients) -> Iterator[None]:
    set_order_workflow(aws, "saga")
    yield
    set_order_workflow(aws, "choreography")


def test_the_claim_check_bucket_is_private_encrypted_and_expires_its_objects(aws: AwsClients, bucket: str) -> None:
    # Given the deployed bucket / Then every public access is blocked, objects are encrypted at rest,
    # and a lifecycle rule deletes each object after the declared days
    block = aws.s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {name: True for name in block} and len(block) == 4
    [encryption] = aws.s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert encryption["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    [rule] = aws.s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rule["Status"] == "Enabled" and rule["Expiration"] == {"Days": 15}


@pytest.mark.usefixtures("order_events_on_both_channels")
def test_an_order_too_large_for_any_message_is_confirmed_and_processed_once_by_every_subscriber(
    orders_api: OrdersApi, aws: AwsClients, pubsub: PubSub, telemetry: Telemetry, topic_probe: str, bucket: str
) -> None:
    # Given a catering delivery order of about 300 KB
    body = catering_order()

    # When it is placed (the choreography, presigned URLs: the deployment's default mode)
    response = orders_api.place(body)
    assert response.status_code == 202, response.text
    order_id = response.json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED", timeout=60)

    # Then order.confirmed went out as a few hundred bytes: a presigned URL to its data and a digest
    event = published_event(aws, topic_probe, order_id)
    assert len(json.dumps(event)) < 4096 and event["data"] == {}
    assert event["dataref"].startswith(f"{aws.outputs.endpoint}/{bucket}/shared/{event['id']}/")
    assert "X-Amz-Signature=" in event["dataref"]
    key = _key_of(aws, bucket, event["dataref"])
    stored = _object(aws, bucket, key)
    assert key == f"shared/{event['id']}/{hashlib.sha256(stored).hexdigest()}.json"  # keyed by event and content
    assert len(stored) > MESSAGE_LIMIT and digest_of(stored) == event["datadigest"]
    assert len(json.loads(stored)["items"]) == len(body["items"])
    # And every subscriber acted on it, each processing one of its two copies (SNS, EventBridge)
    delivery = eventually(lambda: pubsub.delivery(order_id), what="the delivery record")
    assert delivery["notes"]["S"] == body["deliveryAddress"]["notes"]
    pubsub.wait_for_effects(order_id, "Margherita")
    _assert_processed_once_by_every_subscriber(telemetry, event["id"])
    # And the upload and each redemption are spans of their traces, with the object's size
    uploads = eventually(
        lambda: [
            s
            for s in telemetry.store.spans_with_attribute("cloudevents.event_id", event["id"])
            if s.name == "claim check upload"
        ],
        what="the upload span",
    )
    assert any(s.attributes["claim_check.object.size"] == len(stored) for s in uploads)
    redeemed = [
        s
        for s in telemetry.store.spans_with_attribute("cloudevents.event_id", event["id"])
        if s.name == "claim check redeem" and s.attributes.get("claim_check.kind") == "data"
    ]
    assert {s.service_name for s in redeemed} >= {s.service for s in SUBSCRIBERS.values()}
    assert all(s.attributes["claim_check.object.size"] == len(stored) for s in redeemed)


@pytest.mark.usefixtures("bucket_key_claims")
@pytest.mark.usefixtures("order_events_on_both_channels")
def test_with_bucket_and_key_claims_subscribers_read_with_their_own_roles(
    orders_api: OrdersApi, aws: AwsClients, pubsub: PubSub, telemetry: Telemetry, topic_probe: str, bucket: str
) -> None:
    # Given the deployment set to hand out bucket-and-key claims, and a large collection order
    body = catering_order("collection")

    # When it is placed
    order_id = orders_api.place(body).json()["orderId"]
    orders_api.wait_for_status(order_id, "ACKNOWLEDGED", timeout=60)

    # Then its event names the object, which each subscriber read with its own role
    event = published_event(aws, topic_probe, order_id)
    assert event["dataref"].startswith(f"s3://{bucket}/shared/{event['id']}/")
    pubsub.wait_for_effects(order_id, "Margherita")
    _assert_processed_once_by_every_subscriber(telemetry, event["id"])


@pytest.mark.usefixtures("saga")
@pytest.mark.usefixtures("order_events_on_both_channels")
def test_the_saga_confirms_an_order_too_large_for_any_message(
    orders_api: OrdersApi, pubsub: PubSub, telemetry: Telemetry, aws: AwsClients, topic_probe: str
) -> None:
    # Given the orchestrated saga, and a large collection order
    body = catering_order("collection")

    # When it is placed: its request to the kitchen and its order.confirmed are both claimed
    order_id = orders_api.place(body).json()["orderId"]
    orders_api.wait_for_status(order_id, "CONFIRMED", timeout=90)

    # Then every subscriber acted on it once
    event = published_event(aws, topic_probe, order_id)
    assert "dataref" in event
    pubsub.wait_for_effects(order_id, "Margherita")
    _assert_processed_once_by_every_subscriber(telemetry, event["id"])
    # And the kitchen redeemed its request's claim
    kitchen = [
        s
        for s in telemetry.spans_for_order(order_id)
        if s.service_name == "kitchen-processor" and s.kind == "CONSUMER" and s.status_code != "ERROR"
    ]
    assert kitchen, "the kitchen's span for the order"


# -- claims that can never be redeemed -----------------------------------------------------------


def _claimed(aws: AwsClients, bucket: str, *, lifetime: int = 7200, by_reference: bool = False) -> tuple[str, str]:
    """A large order.confirmed checked in as the order service does (its role, its bucket): (order id, body)."""
    order_id = new_id("order-claim")
    store = S3ClaimStore(
        aws.as_function_role("order-acknowledgement-processor", "s3"),
        bucket,
        mode="bucket_key" if by_reference else "presigned_url",
        url_lifetime_seconds=lifetime,
    )
    claimed = ClaimCheck(store, ClaimPolicy(always_claimed=frozenset({ORDER_CONFIRMED}))).check_in(
        from_json(order_confirmed(order_id, customer_id=new_id("customer-claim")))
    )
    return order_id, to_json(claimed)


def _refused(aws: AwsClients, pubsub: PubSub, order_id: str, body: str) -> str:
    """Send ``body`` to loyalty's queue; its DLQ message's reason, once it is there with ``body``."""
    message_id = aws.send("loyalty-order-events", body)
    found: list[dict[str, Any]] = []

    def arrived() -> bool:
        found.extend(m for m in aws.drain("loyalty-order-events-dlq", expect=1, timeout=30) if m["Body"] == body)
        return bool(found)

    eventually(arrived, timeout=45, interval=0, what=f"message {message_id} on loyalty's DLQ")
    # Nothing was processed on partial data
    assert pubsub.loyalty_award(order_id) is None
    reason = str(found[0]["MessageAttributes"][DEAD_LETTER_REASON_ATTRIBUTE]["StringValue"])
    event = json.loads(body)
    assert event["id"] in reason and "s3://" in reason  # names the event and the claim
    assert "X-Amz-Signature" not in reason and "customer-claim" not in reason  # never the URL's secret, nor data
    return reason


def test_an_expired_presigned_url_sends_the_message_to_the_dlq_with_the_reason(
    aws: AwsClients, pubsub: PubSub, bucket: str
) -> None:
    # Given a claim whose URL lived one second, and has expired
    order_id, body = _claimed(aws, bucket, lifetime=1)
    time.sleep(2)
    # When a subscriber receives it / Then it is dead-lettered at once, saying the URL expired
    assert "presigned URL expired" in _refused(aws, pubsub, order_id, body)


def test_a_tampered_presigned_url_sends_the_message_to_the_dlq_with_the_reason(
    aws: AwsClients, pubsub: PubSub, bucket: str
) -> None:
    # Given a claim whose URL's signature was altered on the way
    order_id, body = _claimed(aws, bucket)
    event = json.loads(body)
    url = event["dataref"]
    at = url.index("X-Amz-Signature=") + len("X-Amz-Signature=")
    event["dataref"] = url[:at] + ("0" if url[at] != "0" else "1") + url[at + 1 :]
    tampered = json.dumps(event)
    # When a subscriber receives it / Then S3 refuses the signature, and the message is dead-lettered
    assert "signature does not match" in _refused(aws, pubsub, order_id, tampered)


def test_a_deleted_object_sends_the_message_to_the_dlq_with_the_reason(
    aws: AwsClients, pubsub: PubSub, bucket: str
) -> None:
    # Given a claim whose object was deleted (as the lifecycle rule would, after 15 days)
    order_id, body = _claimed(aws, bucket)
    aws.s3.delete_object(Bucket=bucket, Key=_key_of(aws, bucket, json.loads(body)["dataref"]))
    # When a subscriber receives it / Then it is dead-lettered, saying there is no such object
    assert "no such object" in _refused(aws, pubsub, order_id, body)


def test_an_object_that_does_not_match_its_digest_sends_the_message_to_the_dlq(
    aws: AwsClients, pubsub: PubSub, bucket: str
) -> None:
    # Given a claim whose object was replaced by other data (the digest in the event is the original's)
    order_id, body = _claimed(aws, bucket, by_reference=True)
    key = _key_of(aws, bucket, json.loads(body)["dataref"])
    aws.s3.put_object(Bucket=bucket, Key=key, Body=json.dumps({"orderId": order_id, "items": []}).encode())
    # When a subscriber receives it / Then it is dead-lettered: the content does not match the digest
    assert "does not match datadigest" in _refused(aws, pubsub, order_id, body)


def test_a_claim_the_subscribers_role_may_not_read_sends_the_message_to_the_dlq(
    aws: AwsClients, pubsub: PubSub, bucket: str
) -> None:
    # Given a bucket-and-key claim on an object only the delivery service may read
    order_id, body = _claimed(aws, bucket, by_reference=True)
    event = json.loads(body)
    key = f"restricted/delivery/{event['id']}/copy.json"
    shared = _object(aws, bucket, _key_of(aws, bucket, event["dataref"]))
    aws.s3.put_object(Bucket=bucket, Key=key, Body=shared)
    event["dataref"] = f"s3://{bucket}/{key}"
    # When loyalty receives it / Then its role is refused by IAM, and the message is dead-lettered
    assert "access denied" in _refused(aws, pubsub, order_id, json.dumps(event))


# By URL (the default) and by bucket and key, which the alert processor redeems with its own role.
@pytest.mark.parametrize("mode", ["presigned_url", "bucket_key"])
def test_a_claimed_kitchen_alert_is_redeemed_by_the_kitchen(aws: AwsClients, bucket: str, mode: str) -> None:
    # Given a large order's "delivery due soon" alert, claimed as the order service stores it (its
    # item list is over the 16 KB threshold), for an order the kitchen never received
    order_id = new_id("order-alert-claim")
    store = S3ClaimStore(aws.as_function_role("order-acknowledgement-processor", "s3"), bucket, mode=mode)
    items = [{"pizza": "Margherita", "quantity": 1}] * 600
    data = {"orderId": order_id, "dueAt": future_due_time(600), "items": items}
    alert = ClaimCheck(store, ClaimPolicy(threshold_bytes=16_384)).check_in(
        new_event(DELIVERY_DUE_SOON_V1, "/tests", data, subject=order_id)
    )
    body = to_json(alert)
    assert "dataref" in json.loads(body)

    # When the kitchen's alert processor receives it
    aws.send("kitchen-alerts", body)

    # Then it redeemed the claim and read the alert: refused for its unknown order, not for the claim
    found: list[dict[str, Any]] = []

    def arrived() -> bool:
        found.extend(m for m in aws.drain("kitchen-alerts-dlq", expect=1, timeout=30) if m["Body"] == body)
        return bool(found)

    eventually(arrived, timeout=45, interval=0, what="the alert on the kitchen-alerts DLQ")
    reason = str(found[0]["MessageAttributes"][DEAD_LETTER_REASON_ATTRIBUTE]["StringValue"])
    assert reason.startswith("AlertForUnknownOrder") and "claim" not in reason, reason
