"""`pizza cost` against the session's stack: the counts it prices are those of the orders' real spans."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from integration_support import (
    AwsClients,
    OrdersApi,
    Telemetry,
    collection_order,
    eventually,
    new_id,
    set_order_workflow,
)

from pizza_ops.cli import main as pizza_cli
from pizza_ops.stack import EmbeddedStack

ORDERS = 3
FINAL = {"saga": "CONFIRMED", "choreography": "ACKNOWLEDGED"}
# Every subscriber consumes order.confirmed: their spans come last, after the effects they record.
SUBSCRIBERS = ("loyalty", "notifications", "analytics")


@pytest.fixture(params=["choreography", "saga"])
def workflow(request: pytest.FixtureRequest, aws: AwsClients) -> Iterator[str]:
    set_order_workflow(aws, request.param)
    yield str(request.param)
    set_order_workflow(aws, "choreography")  # the session's


def _placed_and_done(orders_api: OrdersApi, aws: AwsClients, telemetry: Telemetry, workflow: str) -> list[str]:
    """Orders placed and followed through in DynamoDB (not by polling the API, which would add calls)."""
    responses = [orders_api.place(collection_order(customer_id=new_id("cost"))) for _ in range(ORDERS)]
    assert all(r.status_code == 202 for r in responses), [r.text for r in responses]
    order_ids = [str(r.json()["orderId"]) for r in responses]
    for order_id in order_ids:
        eventually(
            lambda o=order_id: (item := aws.get_item("orders", o)) and item["status"]["S"] == FINAL[workflow],
            timeout=60,
            what=f"order {order_id} {FINAL[workflow]}",
        )
        for service in SUBSCRIBERS:
            eventually(lambda s=service, o=order_id: telemetry.consumer_spans(s, o), what=f"{service} spans")
    return order_ids


def _cost(stack: EmbeddedStack, capsys: pytest.CaptureFixture[str], order_ids: list[str], *extra: str) -> Any:
    ids = [arg for order_id in order_ids for arg in ("--order-id", order_id)]
    state_dir = str(stack.config.state_dir)
    code = pizza_cli(["--state-dir", state_dir, "cost", "--orders", "1000000", *ids, *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_pizza_cost_prices_the_calls_the_orders_really_made(
    stack: EmbeddedStack,
    orders_api: OrdersApi,
    aws: AwsClients,
    telemetry: Telemetry,
    capsys: pytest.CaptureFixture[str],
    workflow: str,
) -> None:
    # Given a few orders of the workflow, gone all the way through
    order_ids = _placed_and_done(orders_api, aws, telemetry, workflow)

    # When `pizza cost` prices a million like them from the stack's spans
    bill = json.loads(_cost(stack, capsys, order_ids, "--json"))

    # Then it counted those orders, of that workflow
    assert bill["sampled_orders"] == ORDERS
    assert bill["workflow"] == workflow
    units = {(line["item"], line["detail"]): line["units_per_order"] for line in bill["lines"]}
    # And the orders API ran once per order, behind one HTTP API request each
    assert units["Lambda requests", "order-api"] == 1
    assert units["API Gateway HTTP API requests", "POST /orders"] == 1
    # And every subscriber ran for each order, the kitchen too
    for function in ("kitchen-processor", "loyalty-processor", "notifications-processor", "analytics-processor"):
        assert units["Lambda requests", function] >= 1, function
    # And the saga ran only for saga orders, its steps as durable operations
    saga_runs = units.get(("Lambda requests", "order-saga"), 0)
    assert (saga_runs >= 1) if workflow == "saga" else (saga_runs == 0)
    assert (units.get(("Lambda durable operations", "order-saga"), 0) > 0) == (workflow == "saga")
    # And order.confirmed was published (in the order's trace, or by a batch call shared by time)
    published = ("SNS publishes", "EventBridge custom events")
    assert sum(u for (item, _), u in units.items() if item in published) > 0
    # And DynamoDB was written, and each line is its units times its price, the total their sum
    assert sum(u for (item, _), u in units.items() if item == "DynamoDB on-demand writes") > 0
    for line in bill["lines"]:
        price = line["unit_price"] or 0
        assert line["cost"] == pytest.approx(line["units_per_order"] * price * 1_000_000)
    assert bill["total"] > 0
    assert bill["total"] == pytest.approx(sum(line["cost"] for line in bill["lines"]))
    # And the declaration's KMS keys are a monthly item
    assert any(item["item"] == "KMS customer managed keys" and item["cost"] > 0 for item in bill["monthly"])

    # And the table for people says the same
    table = _cost(stack, capsys, order_ids)
    assert "TOTAL" in table and f"${bill['total']:,.2f}" in table
