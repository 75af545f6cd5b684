"""`pizza tap`: the order events on the wire, as a subscriber receives them, and what their claims hold.

For the time asked, a queue of its own is subscribed to the topic (raw delivery, its policy
admitting that topic only, as the subscribers' are); each event is printed with its size, long
values cut, and for a claim check the stored object beside it: where it is, its size, whether it
matches the event's digest, and its top-level fields. The queue and subscription are removed after.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from integration_patterns.claim_check import DATA_DIGEST, DATA_REF, RESTRICTED_DIGEST, RESTRICTED_REF, digest_of
from integration_patterns.s3_claim_store import S3ClaimStore
from pizza_ops.deploy.iam import queue_delivery_policy

LONGEST_SHOWN = 180


def tap(
    sqs: Any, sns: Any, topic_arn: str, seconds: float, read_claim: Callable[[str], tuple[str, bytes]]
) -> Iterator[str]:
    """Each event the topic delivers within ``seconds``, rendered; ``read_claim`` gives a claim's
    ``s3://`` name and stored bytes."""
    with tapped_queue(sqs, sns, topic_arn) as queue_url:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            wait = max(0, min(5, round(deadline - time.monotonic())))
            received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait)
            for message in received.get("Messages", []):
                yield render_event(message["Body"], read_claim)
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


@contextlib.contextmanager
def tapped_queue(sqs: Any, sns: Any, topic_arn: str) -> Iterator[str]:
    """A queue of its own subscribed to the topic (raw delivery, its policy admitting that topic
    only, as the deployer writes a subscriber's); removed, with its subscription, on the way out."""
    queue_url = sqs.create_queue(QueueName=f"pizza-tap-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    try:
        arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        policy = queue_delivery_policy(arn, [topic_arn], [])
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})
        subscription = sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=arn,
            Attributes={"RawMessageDelivery": "true"},
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        try:
            yield queue_url
        finally:
            sns.unsubscribe(SubscriptionArn=subscription)
    finally:
        sqs.delete_queue(QueueUrl=queue_url)


def claim_reader(s3: Any, bucket: str) -> Callable[[str], tuple[str, bytes]]:
    """Reads a claim's object with the operator's own credentials (not the subscriber's role)."""
    store = S3ClaimStore(s3, bucket)

    def read(claim: str) -> tuple[str, bytes]:
        stored = store.describe(claim)
        body: bytes = s3.get_object(Bucket=stored.bucket, Key=stored.key)["Body"].read()
        return str(stored), body

    return read


def render_event(body: str, read_claim: Callable[[str], tuple[str, bytes]]) -> str:
    event = json.loads(body)
    shown = json.dumps(_shortened(event), indent=2, ensure_ascii=False)
    lines = [f"event on the wire: {len(body.encode())} bytes", shown]
    for ref, digest in ((DATA_REF, DATA_DIGEST), (RESTRICTED_REF, RESTRICTED_DIGEST)):
        if ref in event:
            name, stored = read_claim(event[ref])
            matches = "matches" if digest_of(stored) == event.get(digest) else "DOES NOT MATCH"
            lines.append(f"{ref} -> {name}: {len(stored)} bytes stored, {matches} {digest}")
            lines.append("  stored: " + json.dumps(_shortened(json.loads(stored)), ensure_ascii=False))
    return "\n".join(lines)


def _shortened(value: Any) -> Any:
    if isinstance(value, str) and len(value) > LONGEST_SHOWN:
        return f"{value[:LONGEST_SHOWN]}…({len(value)} chars)"
    if isinstance(value, dict):
        return {key: _shortened(item) for key, item in value.items()}
    if isinstance(value, list) and len(value) > 2:
        return [_shortened(value[0]), f"…({len(value)} items)"]
    if isinstance(value, list):
        return [_shortened(item) for item in value]
    return value
