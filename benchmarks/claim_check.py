"""A claimed event beside an inline one: publish-to-subscriber latency, in one run.

Starts the embedded stack (MiniStack + OTLP receiver), then publishes the same ``order.confirmed``
(a collection order of 300 lines with notes, about 160 KB: small enough to go inline) to the order
events topic, alternating inline and claimed (checked in as the order service does: the S3 upload
with the order service's role, a presigned URL in the event). Publications are paced, one every
0.5 s, and each has its own order id.

Prints, per variant, over every subscriber's processed copy: the time from the publication's start
to the subscriber's CONSUMER span start (delivery) and end (processed, which includes the
redemption for a claimed event), and the check-in time of the claimed ones (upload and presign).
Median, p50, p99, min, max, and the ratio of the medians. Figures, not assertions.

    .venv/bin/python benchmarks/claim_check.py --orders 20
"""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3
from benchmark_support import embedded_stack, orders_argument, poll_until, print_figures
from botocore.config import Config

from integration_patterns.claim_check import ClaimCheck, ClaimPolicy
from integration_patterns.cloudevents_envelope import EventType, new_event, to_json
from integration_patterns.s3_claim_store import S3ClaimStore
from pizza_contracts import ORDER_CONFIRMED
from pizza_ops.stack import EmbeddedStack, emulator_credentials_session
from pizza_ops.telemetry import SpanStore

SUBSCRIBERS = ("loyalty", "notifications", "delivery", "analytics")
PERIOD_SECONDS = 0.5
LINES = 300
NOTES = "gluten-free base, no basil, extra oregano, cut in eight, keep warm until noon; " * 6


def _order_confirmed(order_id: str) -> Any:
    data = {
        "orderId": order_id,
        "customerId": f"bench-{order_id}",
        "orderType": "collection",
        "items": [{"pizza": "Margherita", "quantity": 1, "notes": f"Box {i:04d}: {NOTES}"[:480]} for i in range(LINES)],
        "confirmedAt": datetime.now(UTC).isoformat(),
        "deliveryDueAt": None,
        "amount": {"currency": "EUR", "value": f"{LINES * 8.5:.2f}"},
        "salesChannel": "web",
    }
    return new_event(EventType(ORDER_CONFIRMED, 2), "/benchmarks", data, subject=order_id)


def _writer_claim_check(stack: EmbeddedStack) -> ClaimCheck:
    """The claim check as the order service's acknowledgement processor runs it: its role, its bucket."""
    assert stack.outputs is not None
    session = emulator_credentials_session(stack.config.region)
    endpoint, region = stack.emulator.endpoint, stack.config.region
    lambda_ = session.client("lambda", endpoint_url=endpoint, region_name=region)
    physical = stack.outputs.function_names["order-acknowledgement-processor"]
    role = lambda_.get_function_configuration(FunctionName=physical)["Role"]
    sts = session.client("sts", endpoint_url=endpoint, region_name=region)
    credentials = sts.assume_role(RoleArn=role, RoleSessionName="claim-check-benchmark")["Credentials"]
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        config=Config(signature_version="s3v4"),
    )
    store = S3ClaimStore(s3, stack.outputs.bucket_names["claim-checks"])
    return ClaimCheck(store, ClaimPolicy(always_claimed=frozenset({ORDER_CONFIRMED})))


def _latencies_ms(store: SpanStore, published: dict[str, int], end: bool) -> list[float]:
    latencies = []
    for order_id, published_ns in published.items():
        for span in store.spans_with_attribute("cloudevents.event_subject", order_id):
            processed = span.attributes.get("messaging.inbox.outcome") == "processed"
            if span.kind == "CONSUMER" and span.service_name in SUBSCRIBERS and processed:
                at = span.end_unix_nano if end else span.start_unix_nano
                latencies.append((at - published_ns) / 1e6)
    return latencies


def main() -> None:
    orders = orders_argument(__doc__)
    published: dict[str, dict[str, int]] = {"inline": {}, "claimed": {}}
    check_in_ms: list[float] = []
    sizes: dict[str, int] = {}
    with embedded_stack() as stack:
        assert stack.outputs is not None
        session = emulator_credentials_session(stack.config.region)
        sns = session.client("sns", endpoint_url=stack.emulator.endpoint, region_name=stack.config.region)
        topic = stack.outputs.topic_arns["order-events"]
        claim_check = _writer_claim_check(stack)
        start = time.monotonic()
        for index in range(2 * orders):
            time.sleep(max(0.0, start + index * PERIOD_SECONDS - time.monotonic()))
            variant = "claimed" if index % 2 else "inline"
            order_id = f"bench-claim-{uuid.uuid4().hex[:12]}"
            began = time.time_ns()
            event = _order_confirmed(order_id)
            if variant == "claimed":
                event = claim_check.check_in(event)
                check_in_ms.append((time.time_ns() - began) / 1e6)
            body = to_json(event)
            sizes[variant] = len(body.encode())
            sns.publish(TopicArn=topic, Message=body)
            published[variant][order_id] = began
        expected = orders * len(SUBSCRIBERS)
        poll_until(
            lambda: [len(_latencies_ms(stack.spans, published[v], end=True)) for v in published],
            lambda counts: min(counts) >= expected,
        )
        rows = {
            f"inline ({sizes['inline'] // 1024} KB) delivered": _latencies_ms(stack.spans, published["inline"], False),
            f"claimed ({sizes['claimed']} B) delivered": _latencies_ms(stack.spans, published["claimed"], False),
            "inline processed": _latencies_ms(stack.spans, published["inline"], True),
            "claimed processed": _latencies_ms(stack.spans, published["claimed"], True),
            "claimed check-in (upload)": check_in_ms,
        }
    print(f"{orders} events per variant, {len(SUBSCRIBERS)} subscribers, SNS (MiniStack, embedded)")
    print_figures(rows, label="publication to subscriber", count="copies")
    inline, claimed = statistics.median(rows["inline processed"]), statistics.median(rows["claimed processed"])
    print(f"median processed, claimed / inline: {claimed / inline:.2f}")


if __name__ == "__main__":
    main()
