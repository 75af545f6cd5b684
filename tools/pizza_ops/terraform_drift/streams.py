"""Drift in stream triggers: which function reads which table's stream, and how."""

from __future__ import annotations

from typing import Any

from pizza_ops.system import StreamTrigger, SystemDeclaration
from pizza_ops.terraform_drift.core import STREAM_TRIGGER
from pizza_ops.terraform_drift.terraform import Terraform, block_kind, compare, presence_drift, resolve, snake

_Key = tuple[str, str]  # (function, table)


def stream_trigger_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    problems: list[str] = []
    in_terraform: dict[_Key, dict[str, Any]] = {}
    for label, args in tf.modules.items():
        if block_kind(args) != STREAM_TRIGGER:
            continue
        key, wiring_problems = _wiring(tf, label, args)
        problems += wiring_problems
        if key in in_terraform:
            problems.append(f"stream trigger {key[0]} <- {key[1]} has more than one module")
        elif key:
            in_terraform[key] = args
    declared = {(t.function, t.table): t for t in system.stream_triggers}
    problems += presence_drift("stream trigger", {_name(k) for k in declared}, {_name(k) for k in in_terraform})
    for key in sorted(set(declared) & set(in_terraform)):
        problems += _settings_drift(f"stream trigger {_name(key)}", declared[key], in_terraform[key], tf)
    return problems


def _name(key: _Key) -> str:
    return f"{key[0]} <- {key[1]}"


def _wiring(tf: Terraform, label: str, args: dict[str, Any]) -> tuple[_Key | None, list[str]]:
    """The (function, table) a stream trigger module connects, or the reason it connects none."""
    function = resolve(tf, args.get("function_name"))
    if not function or function[0] != "function" or function[2] != "function_name":
        return None, [f"stream trigger {label!r}: function_name is not a function module's function_name"]
    table = resolve(tf, args.get("stream_arn"))
    if not table or table[0] != "table" or table[2] != "stream_arn":
        return None, [f"stream trigger {label!r}: stream_arn is not the stream_arn of a table module"]
    expected_label = f"{snake(function[1])}_from_{snake(table[1])}_stream"
    problems = [] if label == expected_label else [f"stream trigger {label!r}: should be labelled {expected_label!r}"]
    return (function[1], table[1]), problems


def _settings_drift(subject: str, trigger: StreamTrigger, args: dict[str, Any], tf: Terraform) -> list[str]:
    problems: list[str] = []
    for setting, declared in (
        ("starting_position", trigger.starting_position),
        ("batch_size", trigger.batch_size),
        ("maximum_batching_window_seconds", trigger.maximum_batching_window_seconds),
        ("bisect_batch_on_function_error", trigger.bisect_batch_on_function_error),
        ("maximum_retry_attempts", trigger.maximum_retry_attempts),
        ("maximum_record_age_seconds", trigger.maximum_record_age_seconds),
        ("alarm_iterator_age_seconds", trigger.alarm_iterator_age_seconds),
    ):
        problems += compare(subject, setting, declared, args.get(setting))
    destination = args.get("on_failure_destination_arn")
    on_failure = ("queue", trigger.on_failure_queue, "arn") if trigger.on_failure_queue else None
    problems += compare(subject, "on_failure_destination_arn", on_failure, resolve(tf, destination) or destination)
    problems += compare(subject, "filter_patterns", trigger.filter_patterns, args.get("filter_patterns", []))
    return problems
