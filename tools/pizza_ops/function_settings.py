"""Changing a deployed function's settings (its environment), as `pizza set-env` and tests do."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def environment_of(lambda_client: Any, function_name: str) -> dict[str, str]:
    """The function's deployed environment, as it is now."""
    variables: dict[str, str] = lambda_client.get_function_configuration(FunctionName=function_name)["Environment"][
        "Variables"
    ]
    return variables


def set_environment(
    lambda_client: Any, function_name: str, changes: Mapping[str, str], alias: str | None = None
) -> None:
    """Merge ``changes`` into the function's environment and wait until it is updated.

    ``alias``: a durable function runs the version its alias names, so the change is published and
    the alias moved to it.
    """
    current = environment_of(lambda_client, function_name)
    lambda_client.update_function_configuration(
        FunctionName=function_name, Environment={"Variables": {**current, **changes}}
    )
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=function_name, WaiterConfig={"Delay": 1})
    if alias is not None:
        version = lambda_client.publish_version(FunctionName=function_name)["Version"]
        lambda_client.update_alias(FunctionName=function_name, Name=alias, FunctionVersion=version)
