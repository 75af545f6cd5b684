"""Least-privilege IAM: each function may touch only its declared resources and its trigger queue."""

from __future__ import annotations

from typing import Any

import pytest

from pizza_ops.deploy.iam import QUEUE_CONSUME, QUEUE_SEND, TABLE_READ, TABLE_WRITE, function_policy
from pizza_ops.system import Permission, SystemDeclaration, load_system

SYSTEM = load_system()


def _table_arn(name: str) -> str:
    return f"arn:aws:dynamodb:us-east-1:000000000000:table/pizza-{name}"


def _queue_arn(name: str) -> str:
    return f"arn:aws:sqs:us-east-1:000000000000:pizza-{name}"


def _policy(function: str, system: SystemDeclaration = SYSTEM) -> dict[str, Any]:
    return function_policy(system, function, _table_arn, _queue_arn)


def _actions_on(policy: dict[str, Any], resource: str) -> set[str]:
    return {action for s in policy["Statement"] if s["Resource"] == resource for action in s["Action"]}


def _expected_resources(function: str) -> set[str]:
    declared = SYSTEM.functions[function].permissions
    tables = {_table_arn(p.table) for p in declared if p.table}
    queues = {_queue_arn(p.queue) for p in declared if p.queue}
    triggers = {_queue_arn(t.queue) for t in SYSTEM.triggers if t.function == function}
    return tables | queues | triggers


@pytest.mark.parametrize("function", sorted(SYSTEM.functions))
def test_a_function_is_allowed_only_its_declared_resources_and_its_trigger_queue(function: str) -> None:
    # Given a function of the real declaration / When its policy is derived
    policy = _policy(function)

    # Then every statement allows, on exactly the resources the declaration gives it
    assert policy["Version"] == "2012-10-17"
    assert {s["Effect"] for s in policy["Statement"]} == {"Allow"}
    assert {s["Resource"] for s in policy["Statement"]} == _expected_resources(function)


@pytest.mark.parametrize("function", sorted(SYSTEM.functions))
def test_no_statement_uses_a_wildcard(function: str) -> None:
    # Given any function's policy / Then no resource or action is a wildcard
    for statement in _policy(function)["Statement"]:
        assert "*" not in statement["Resource"]
        assert all("*" not in action for action in statement["Action"])


def test_the_kitchen_may_reply_and_dead_letter_but_not_send_to_its_own_input_queue() -> None:
    # Given the kitchen processor's policy
    policy = _policy("kitchen-processor")

    # Then it may send acknowledgements and dead-letter rejected orders
    assert set(QUEUE_SEND) <= _actions_on(policy, _queue_arn("order-acknowledgements"))
    assert set(QUEUE_SEND) <= _actions_on(policy, _queue_arn("kitchen-orders-dlq"))
    # And it may consume its trigger queue, but never send to it
    kitchen_orders = _actions_on(policy, _queue_arn("kitchen-orders"))
    assert set(QUEUE_CONSUME) <= kitchen_orders
    assert "sqs:SendMessage" not in kitchen_orders
    # And it has no access to the order service's table
    assert _actions_on(policy, _table_arn("orders")) == set()


def test_the_order_api_may_write_its_table_and_send_to_the_kitchen_but_consumes_nothing() -> None:
    # Given the order API's policy (it has no trigger)
    policy = _policy("order-api")

    # Then it reads and writes orders, sends to the kitchen, and receives from no queue
    assert _actions_on(policy, _table_arn("orders")) == set(TABLE_READ + TABLE_WRITE)
    assert _actions_on(policy, _queue_arn("kitchen-orders")) == set(QUEUE_SEND)
    assert not any("sqs:ReceiveMessage" in s["Action"] for s in policy["Statement"])


def test_a_read_only_table_permission_grants_no_writes() -> None:
    # Given the order API declared with read-only access to its table, and nothing else
    order_api = SYSTEM.functions["order-api"]
    read_only = order_api.model_copy(update={"permissions": [Permission(table="orders", access="read")]})
    system = SYSTEM.model_copy(update={"functions": {**SYSTEM.functions, "order-api": read_only}})

    # When its policy is derived
    policy = _policy("order-api", system)

    # Then it may only read that table
    assert _actions_on(policy, _table_arn("orders")) == set(TABLE_READ)
    assert _actions_on(policy, _queue_arn("kitchen-orders")) == set()
