"""Orchestration beside choreography: how long an order takes, and what it costs, each way.

Starts the embedded stack (MiniStack + OTLP receiver) once, then places the same orders at the same
fixed rate under each workflow in turn (the orders API's ORDER_WORKFLOW): the choreography until
the order is ACKNOWLEDGED, the saga until it is CONFIRMED. Both points are where order.confirmed
is stored in the outbox, so the subscribers' work after it is the same and left out.

Prints per workflow: latency from the order's placedAt to that status (median, p50, p99, from the
order's own history), Lambda invocations per order (REPORT lines in each function's log) and AWS
calls per order (the AWS SDK spans, rpc.system=aws-api, every process exported; the durable
SDK's checkpoints included; the benchmark's own GET of each order is one order-api invocation). Figures, not assertions.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime
from typing import Any

import httpx
from benchmark_support import embedded_stack, orders_argument, orders_url, place_orders, poll_until, print_figures

from pizza_ops.function_settings import set_environment
from pizza_ops.stack import EmbeddedStack, emulator_credentials_session

FINAL = {"choreography": "ACKNOWLEDGED", "saga": "CONFIRMED"}
# Settle time after the last order's final status, so late spans and the subscribers' work of
# one phase do not fall into the next.
SETTLE_SECONDS = 8


def _lambda(stack: EmbeddedStack) -> Any:
    session = emulator_credentials_session(stack.config.region)
    return session.client("lambda", endpoint_url=stack.emulator.endpoint, region_name=stack.config.region)


def _logs(stack: EmbeddedStack) -> Any:
    session = emulator_credentials_session(stack.config.region)
    return session.client("logs", endpoint_url=stack.emulator.endpoint, region_name=stack.config.region)


def _set_workflow(stack: EmbeddedStack, workflow: str) -> None:
    assert stack.outputs is not None
    set_environment(_lambda(stack), stack.outputs.function_names["order-api"], {"ORDER_WORKFLOW": workflow})


def _invocations(stack: EmbeddedStack) -> Counter[str]:
    """REPORT lines so far per function: one per invocation, whatever the function did."""
    assert stack.outputs is not None
    logs = _logs(stack)
    counts: Counter[str] = Counter()
    for logical, physical in stack.outputs.function_names.items():
        token: str | None = None
        while True:
            more = {"nextToken": token} if token else {}
            try:
                page = logs.filter_log_events(logGroupName=f"/aws/lambda/{physical}", filterPattern="REPORT", **more)
            except logs.exceptions.ResourceNotFoundException:  # never invoked yet: no log group
                break
            counts[logical] += sum(1 for event in page.get("events", []) if event["message"].startswith("REPORT"))
            token = page.get("nextToken")
            if not token:
                break
    return counts


def _latencies_ms(http: httpx.Client, api: str, order_ids: list[str], final: str) -> list[float]:
    latencies = []
    for order_id in order_ids:
        view = http.get(f"{api}/orders/{order_id}").json()
        reached = [c["at"] for c in view.get("history", []) if c["status"] == final]
        if reached:
            placed = datetime.fromisoformat(view["placedAt"])
            latencies.append((datetime.fromisoformat(reached[0]) - placed).total_seconds() * 1000)
    return latencies


def _phase(stack: EmbeddedStack, http: httpx.Client, workflow: str, orders: int) -> dict[str, object]:
    _set_workflow(stack, workflow)
    api = orders_url(stack)
    before = _invocations(stack)
    started = time.time_ns()
    order_ids = [placed["orderId"] for placed in place_orders(http, api, orders)]
    latencies = poll_until(
        lambda: _latencies_ms(http, api, order_ids, FINAL[workflow]), lambda found: len(found) == len(order_ids)
    )
    time.sleep(SETTLE_SECONDS)
    ended = time.time_ns()
    invocations = _invocations(stack) - before
    # Every AWS SDK call is a span with rpc.system=aws-api (CLIENT, or PRODUCER for SNS publishes).
    spans = stack.spans.spans_started_between(started, ended)
    calls = Counter(s.name for s in spans if s.attributes.get("rpc.system") == "aws-api")
    return {"latencies": latencies, "invocations": invocations, "calls": calls}


def main() -> None:
    orders = orders_argument(__doc__)
    with embedded_stack() as stack, httpx.Client(timeout=15) as http:
        # A warm-up order each way: cold starts are not what this compares.
        for workflow in FINAL:
            _phase(stack, http, workflow, 1)
        results = {workflow: _phase(stack, http, workflow, orders) for workflow in FINAL}
    print(f"{orders} orders per workflow, one every 0.3 s (MiniStack, embedded; same run)")
    print_figures(
        {f"{workflow} -> {FINAL[workflow]}": result["latencies"] for workflow, result in results.items()},  # type: ignore[misc]
        label="workflow",
        count="orders",
    )
    for workflow, result in results.items():
        invocations: Counter[str] = result["invocations"]  # type: ignore[assignment]
        calls: Counter[str] = result["calls"]  # type: ignore[assignment]
        print(
            f"\n{workflow}: {sum(invocations.values()) / orders:.1f} Lambda invocations and "
            f"{sum(calls.values()) / orders:.1f} AWS calls per order"
        )
        for function, count in invocations.most_common():
            print(f"  invocations  {function:<34}{count / orders:>6.2f}")
        for name, count in calls.most_common(12):
            print(f"  calls        {name:<34}{count / orders:>6.2f}")


if __name__ == "__main__":
    main()
