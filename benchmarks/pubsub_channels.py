"""Compare SNS and EventBridge as pub/sub channels: time from publication to each subscriber's span.

Starts the embedded stack (MiniStack + OTLP receiver), places orders, and for every subscriber copy
measures (consumer span start - publisher span start), split by the channel that delivered it.
Prints median, p50 and p99 per channel side by side, and their ratio. Figures, not assertions.

    .venv/bin/python benchmarks/pubsub_channels.py --orders 40
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from pizza_ops.stack import EmbeddedStack, EmbeddedStackConfig
from pizza_ops.telemetry import SpanStore

SUBSCRIBERS = ("loyalty", "notifications", "delivery", "analytics")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _latencies_ms(store: SpanStore, order_ids: list[str]) -> dict[str, list[float]]:
    by_channel: dict[str, list[float]] = {"none": [], "eventbridge": []}
    for order_id in order_ids:
        spans = store.spans_with_attribute("cloudevents.event_subject", order_id)
        publish = [s for s in spans if s.kind == "PRODUCER" and s.name.startswith("publish ")]
        if not publish:
            continue
        for span in spans:
            if span.kind == "CONSUMER" and span.service_name in SUBSCRIBERS:
                envelope = str(span.attributes.get("messaging.delivery.envelope"))
                by_channel.setdefault(envelope, []).append((span.start_unix_nano - publish[0].start_unix_nano) / 1e6)
    return by_channel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=30)
    args = parser.parse_args()
    config = EmbeddedStackConfig(state_dir=Path(tempfile.mkdtemp()), emulator_port=0, otlp_port=0)
    with EmbeddedStack(config) as stack, httpx.Client(timeout=15) as http:
        assert stack.outputs is not None
        api = stack.outputs.api_urls["orders"]
        order_ids = []
        for index in range(args.orders):
            body = {
                "customerId": f"bench-{index}",
                "orderType": "collection",
                "items": [{"pizza": "Margherita", "quantity": 1}],
            }
            order_ids.append(http.post(f"{api}/orders", json=body).json()["orderId"])
            time.sleep(0.2)  # a steady trickle, not a burst: this measures delivery, not queueing
        expected = 2 * len(SUBSCRIBERS) * len(order_ids)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            latencies = _latencies_ms(stack.spans, order_ids)
            if sum(len(v) for v in latencies.values()) >= expected:
                break
            time.sleep(1)
    print(f"{args.orders} orders, {len(SUBSCRIBERS)} subscribers, both channels (MiniStack, embedded)")
    print(f"{'channel':<12}{'copies':>8}{'median ms':>12}{'p50 ms':>10}{'p99 ms':>10}")
    rows = {"SNS (raw)": latencies.get("none", []), "EventBridge": latencies.get("eventbridge", [])}
    for name, values in rows.items():
        if values:
            print(
                f"{name:<12}{len(values):>8}{statistics.median(values):>12.1f}"
                f"{_percentile(values, 0.5):>10.1f}{_percentile(values, 0.99):>10.1f}"
            )
    if all(rows.values()):
        ratio = statistics.median(rows["EventBridge"]) / statistics.median(rows["SNS (raw)"])
        print(f"median EventBridge / SNS: {ratio:.2f}")


if __name__ == "__main__":
    main()
