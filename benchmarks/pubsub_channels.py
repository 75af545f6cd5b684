"""Compare SNS and EventBridge as pub/sub channels: time from publication to each subscriber's span.

Starts the embedded stack (MiniStack + OTLP receiver), places orders, and for every subscriber copy
measures (consumer span start - publisher span start), split by the channel that delivered it.
Prints median, p50, p99, min and max per channel side by side, and their ratio. Figures, not assertions.

    .venv/bin/python benchmarks/pubsub_channels.py --orders 40
"""

from __future__ import annotations

import statistics

import httpx
from benchmark_support import embedded_stack, orders_argument, orders_url, place_orders, poll_until, print_figures

from pizza_ops.telemetry import SpanStore

SUBSCRIBERS = ("loyalty", "notifications", "delivery", "analytics")


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
    orders = orders_argument(__doc__)
    # Both channels on (SNS alone is the default): each subscriber gets a copy through each.
    both = {"order-outbox-publisher": {"ORDER_EVENT_CHANNELS": "sns,eventbridge"}}
    with embedded_stack(both) as stack, httpx.Client(timeout=15) as http:
        order_ids = [placed["orderId"] for placed in place_orders(http, orders_url(stack), orders)]
        expected = 2 * len(SUBSCRIBERS) * len(order_ids)
        latencies = poll_until(
            lambda: _latencies_ms(stack.spans, order_ids), lambda found: sum(map(len, found.values())) >= expected
        )
    print(f"{orders} orders, {len(SUBSCRIBERS)} subscribers, both channels (MiniStack, embedded)")
    rows = {"SNS (raw)": latencies.get("none", []), "EventBridge": latencies.get("eventbridge", [])}
    print_figures(rows, label="channel", count="copies")
    if all(rows.values()):
        ratio = statistics.median(rows["EventBridge"]) / statistics.median(rows["SNS (raw)"])
        print(f"median EventBridge / SNS: {ratio:.2f}")


if __name__ == "__main__":
    main()
