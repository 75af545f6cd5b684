"""Drift in the saga's Terraform: a change on either side is reported, naming what differs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from drift_support import (
    assert_reported_when_declaration_changes,
    assert_reported_when_terraform_changes,
    with_module_changed,
)

from pizza_ops.system import Permission, SystemDeclaration
from pizza_ops.terraform_drift import Terraform, root_module

SAGA = "order_saga_function"


def _saga_args() -> dict[str, Any]:
    return dict(root_module().modules[SAGA])


def _with_saga(system: SystemDeclaration, **changes: Any) -> SystemDeclaration:
    saga = system.functions["order-saga"].model_copy(update=changes)
    return system.model_copy(update={"functions": {**system.functions, "order-saga": saga}})


def _with_durable(system: SystemDeclaration, **changes: Any) -> SystemDeclaration:
    durable = system.functions["order-saga"].durable
    assert durable is not None
    return _with_saga(system, durable=durable.model_copy(update=changes))


def _kitchen_may_also_start_the_saga(system: SystemDeclaration) -> SystemDeclaration:
    kitchen = system.functions["kitchen-processor"]
    extra = Permission.model_validate({"function": "order-saga", "access": "invoke"})
    changed = kitchen.model_copy(update={"permissions": [*kitchen.permissions, extra]})
    return system.model_copy(update={"functions": {**system.functions, "kitchen-processor": changed}})


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (lambda s: _with_durable(s, alias="current"), "function 'order-saga': durable alias is 'live'"),
        (lambda s: _with_durable(s, execution_timeout_seconds=60), "durable execution_timeout_seconds is 3600"),
        (lambda s: _with_durable(s, alarm_metric=None), "durable alarm_metric is 'CompensationsFailed'"),
        (lambda s: _with_saga(s, durable=None), "function 'order-saga': durable only in Terraform"),
        (
            _kitchen_may_also_start_the_saga,
            "function 'kitchen-processor': declared permission ('function', 'order-saga', 'invoke') is not granted",
        ),
    ],
)
def test_drift_is_reported_when_the_saga_s_declaration_changes(
    change: Callable[[SystemDeclaration], SystemDeclaration], reported: str
) -> None:
    assert_reported_when_declaration_changes(change, reported)


def _without_statement(label: str, sid: str) -> Callable[[Terraform], Terraform]:
    def change(tf: Terraform) -> Terraform:
        statements = [s for s in tf.modules[label]["policy_statements"] if s["sid"] != sid]
        return with_module_changed(tf, label, policy_statements=statements)

    return change


def _saga_environment(**changes: str) -> Callable[[Terraform], Terraform]:
    def change(tf: Terraform) -> Terraform:
        environment = {**tf.modules["order_api_function"]["environment"], **changes}
        return with_module_changed(tf, "order_api_function", environment=environment)

    return change


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (
            _without_statement("kitchen_processor_function", "OrderSagaCallbacksAnswer"),
            "function 'kitchen-processor': declared permission ('function', 'order-saga', 'answer_callbacks')",
        ),
        (
            _without_statement(SAGA, "OwnExecutionsCheckpoint"),
            "function 'order-saga': declared permission ('function', 'order-saga', 'run_durable')",
        ),
        (
            # Started on the unqualified function, not the alias: never $LATEST
            _saga_environment(ORDER_SAGA_FUNCTION_ARN="${module.order_saga_function.arn}"),
            "function 'order-api': environment variable ORDER_SAGA_FUNCTION_ARN",
        ),
        (
            _saga_environment(ORDER_WORKFLOW="choreography"),
            "function 'order-api': environment variable ORDER_WORKFLOW is 'choreography' in Terraform but 'saga'",
        ),
        (
            lambda tf: with_module_changed(tf, SAGA, durable={**_saga_args()["durable"], "retention_days": 7}),
            "function 'order-saga': durable retention_days is 7 in Terraform but 1",
        ),
        (
            lambda tf: with_module_changed(tf, SAGA, durable=None),
            "function 'order-saga': durable only in the declaration",
        ),
    ],
)
def test_drift_is_reported_when_the_saga_s_terraform_changes(
    change: Callable[[Terraform], Terraform], reported: str
) -> None:
    assert_reported_when_terraform_changes(change, reported)
