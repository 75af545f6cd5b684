"""Shared steps of the drift tests: change one side, compare, and expect the change reported."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pizza_ops.system import SystemDeclaration, load_system
from pizza_ops.terraform_drift import Terraform, root_module, terraform_drift


def with_module_changed(tf: Terraform, label: str, **changes: Any) -> Terraform:
    """The Terraform with some arguments of one module call changed."""
    return replace(tf, modules={**tf.modules, label: {**tf.modules[label], **changes}})


def with_module_added(tf: Terraform, label: str, **arguments: Any) -> Terraform:
    """The Terraform with one more module call."""
    return replace(tf, modules={**tf.modules, label: arguments})


def without_module(tf: Terraform, label: str) -> Terraform:
    """The Terraform without one module call."""
    return replace(tf, modules={k: v for k, v in tf.modules.items() if k != label})


def assert_reported_when_declaration_changes(
    change: Callable[[SystemDeclaration], SystemDeclaration], reported: str
) -> None:
    # Given a declaration changed without touching the Terraform
    system = change(load_system())

    # When it is compared with the Terraform
    drift = terraform_drift(system, root_module())

    # Then the difference is reported
    assert any(reported in line for line in drift), drift


def assert_reported_when_terraform_changes(change: Callable[[Terraform], Terraform], reported: str) -> None:
    # Given Terraform changed without touching the declaration
    tf = change(root_module())

    # When it is compared with the declaration
    drift = terraform_drift(load_system(), tf)

    # Then the difference is reported
    assert any(reported in line for line in drift), drift
