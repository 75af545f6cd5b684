"""`pizza load` against the session's stack: every order sent completes, none lost, no effect twice."""

from __future__ import annotations

import json

import pytest
from integration_support import AwsClients

from pizza_ops.cli import main as pizza_cli
from pizza_ops.deployed_stack import DeployedStack
from pizza_ops.load.dynamodb import DynamoDbEffectCounter, EffectTables
from pizza_ops.load.effects import KITCHEN
from pizza_ops.load.plan import LoadPlan, planned_orders
from pizza_ops.load.wiring import deployed_workflow, run_on_stack
from pizza_ops.stack import EmbeddedStack


@pytest.mark.parametrize("workflow", ["choreography", "saga"])
def test_pizza_load_completes_every_order_once_with_each_effect_once(
    stack: EmbeddedStack, capsys: pytest.CaptureFixture[str], workflow: str
) -> None:
    # Given the session's stack (the choreography), and the workflow to load
    state_dir = str(stack.config.state_dir)
    before = deployed_workflow(DeployedStack(stack.config.state_dir))

    # When 5 orders a second are placed for 3 seconds through that workflow
    exit_code = pizza_cli(
        ["--state-dir", state_dir, "load", "--rate", "5", "--duration", "3", "--workflow", workflow, "--json"]
    )

    # Then every order sent was accepted and completed, none lost, none with an effect missing or twice
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert exit_code == 0, captured.out
    assert result["workflow"] == workflow
    assert result["sent"] == result["accepted"] == result["completed"] == 15
    assert result["lost"] == 0 and result["failed"] == 0
    assert result["duplicated"] == 0 and result["anomalies"] == [] and result["stored_unanswered"] == []
    assert result["latency"]["count"] == 15
    # And the progress went to stderr, ending with every order completed
    assert "done" in captured.err and "completed 15" in captured.err
    # And the orders API is back on the workflow it had
    assert deployed_workflow(DeployedStack(stack.config.state_dir)) == before


def test_a_second_kitchen_order_for_a_loaded_customer_is_counted_as_a_duplicate(
    stack: EmbeddedStack, aws: AwsClients
) -> None:
    # Given a short load run, all clean
    deployed = DeployedStack(stack.config.state_dir)
    plan = LoadPlan(rate=5, duration=1, workflow=deployed_workflow(deployed), delivery_share=0)
    result = run_on_stack(plan, deployed)
    assert result.ok and result.completed == 5

    # When the kitchen records a second order for the first order's customer
    first = planned_orders(plan)[0]
    aws.dynamodb.put_item(
        TableName=aws.table("kitchen-orders"),
        Item={"orderId": {"S": "a-second-kitchen-order"}, "customerId": {"S": first.customer_id}},
    )

    # Then counting the run's effects again finds that order's kitchen effect twice, the others' once
    tables = EffectTables(
        aws.table("kitchen-orders"),
        aws.table("loyalty-accounts"),
        aws.table("notifications"),
        aws.table("deliveries"),
        aws.table("analytics-counted-orders"),
    )
    order_ids = _order_ids_by_customer(aws, plan.customer_prefix)
    orders = [(order_ids[order.customer_id], order) for order in planned_orders(plan)]
    counts = DynamoDbEffectCounter(aws.dynamodb, tables, plan.customer_prefix).count(orders)
    assert [counts[order_id][KITCHEN] for order_id, _ in orders] == [2, 1, 1, 1, 1]


def _order_ids_by_customer(aws: AwsClients, customer_prefix: str) -> dict[str, str]:
    """The stored orders of the customers with this prefix: customer id → order id."""
    pages = aws.dynamodb.get_paginator("scan").paginate(
        TableName=aws.table("orders"),
        FilterExpression="begins_with(customerId, :prefix)",
        ExpressionAttributeValues={":prefix": {"S": customer_prefix}},
        ProjectionExpression="orderId, customerId",
        ConsistentRead=True,
    )
    return {item["customerId"]["S"]: item["orderId"]["S"] for page in pages for item in page["Items"]}
