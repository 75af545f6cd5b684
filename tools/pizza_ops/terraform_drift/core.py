"""Drift in the building blocks themselves, and in tables, queues, triggers, HTTP and WebSocket APIs."""

from __future__ import annotations

from typing import Any

from pizza_ops.system import Cors, SystemDeclaration
from pizza_ops.terraform_drift.terraform import (
    REFERENCE,
    Terraform,
    block_kind,
    compare,
    module_instances,
    presence_drift,
    resolve,
    snake,
    value,
)

# Root module label = <logical name in snake case>_<suffix>; triggers are <function>_from_<queue>,
# stream triggers <function>_from_<table>_stream, queue policies <queue>_queue_policy, topic
# subscriptions <queue>_subscription.
LABEL_SUFFIXES = {
    "dynamodb_table": "table",
    "queue_with_dlq": "queue",
    "sqs_queue": "queue",
    "lambda_function": "function",
    "http_api": "http_api",
    "kms_key": "key",
    "sns_topic": "topic",
    "event_bus": "event_bus",
    "event_rule": "rule",
    "schedule_group": "schedule_group",
    "s3_bucket": "bucket",
    "websocket_api": "websocket_api",
}
TRIGGER = "sqs_trigger"
STREAM_TRIGGER = "dynamodb_stream_trigger"
QUEUE_POLICY = "queue_policy"
TOPIC_SUBSCRIPTION = "topic_subscription"


def module_drift(tf: Terraform) -> list[str]:
    problems: list[str] = []
    for label, args in tf.modules.items():
        kind = block_kind(args)
        if kind in LABEL_SUFFIXES:
            expected = f"{snake(str(args.get('name')))}_{LABEL_SUFFIXES[kind]}"
            if label != expected:
                problems.append(
                    f"module {label!r}: a {kind} named {args.get('name')!r} should be labelled {expected!r}"
                )
        elif kind not in (TRIGGER, STREAM_TRIGGER, QUEUE_POLICY, TOPIC_SUBSCRIPTION):
            problems.append(f"module {label!r}: source {args.get('source')!r} is not a building block")
    problems += [
        f"resource {type_}.{name} is declared in the root module; compose building blocks instead"
        for type_, name in tf.resources
    ]
    for kind in LABEL_SUFFIXES:
        names = [str(args.get("name")) for args in tf.modules.values() if block_kind(args) == kind]
        problems.extend(f"{kind} {n!r} has more than one module" for n in sorted(set(names)) if names.count(n) > 1)
    return problems


def name_prefix_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    default = tf.variables.get("name_prefix", {}).get("default")
    return compare("variable name_prefix", "the default", system.name_prefix, default)


def table_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    instances = module_instances(tf, "dynamodb_table")
    problems = presence_drift("table", set(system.tables), set(instances))
    for name in sorted(set(system.tables) & set(instances)):
        (_, args), table, subject = instances[name], system.tables[name], f"table {name!r}"
        problems += compare(subject, "hash_key", table.hash_key, args.get("hash_key"))
        problems += compare(subject, "ttl_attribute", table.ttl_attribute, args.get("ttl_attribute"))
        problems += compare(subject, "stream_view_type", table.stream_view_type, args.get("stream_view_type"))
        indexes = {name: index.hash_key for name, index in table.indexes.items()}
        in_terraform = {name: (index or {}).get("hash_key") for name, index in (args.get("indexes") or {}).items()}
        problems += compare(subject, "indexes (name: hash_key)", indexes, in_terraform)
    return problems


def queue_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    """Queues with a DLQ are queue_with_dlq modules, queues without one sqs_queue modules.

    An sqs_queue redrives only when given `redrive`, which queue_with_dlq passes; a root call that
    passes it gives the queue a DLQ the declaration does not know.
    """
    with_dlq, without_dlq = module_instances(tf, "queue_with_dlq"), module_instances(tf, "sqs_queue")
    instances = {**without_dlq, **with_dlq}
    problems = presence_drift("queue", set(system.queues), set(instances))
    problems += [f"queue {n!r} has more than one module" for n in sorted(set(with_dlq) & set(without_dlq))]
    for name in sorted(set(system.queues) & set(instances)):
        queue, (_, args), subject = system.queues[name], instances[name], f"queue {name!r}"
        if queue.dead_letter is None:
            if name in with_dlq or args.get("redrive") is not None:
                problems.append(f"{subject}: Terraform gives it a dead-letter queue, the declaration none")
        elif name not in with_dlq:
            problems.append(
                f"{subject}: the declaration gives it a dead-letter queue ({queue.dead_letter.name!r}), Terraform none"
            )
        else:
            problems += compare(subject, "the DLQ", queue.dead_letter.name, args.get("dlq_name"))
            problems += compare(
                subject, "max_receive_count", queue.dead_letter.max_receive_count, args.get("max_receive_count")
            )
        for setting, declared in (
            ("visibility_timeout_seconds", queue.visibility_timeout_seconds),
            ("alarm_oldest_message_age_seconds", queue.alarm_oldest_message_age_seconds),
        ):
            problems += compare(subject, setting, declared, args.get(setting))
        problems += compare(subject, "fifo", queue.fifo, value(tf, args.get("fifo", False)))
    return problems


def trigger_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    problems: list[str] = []
    in_terraform: dict[tuple[str, str], dict[str, Any]] = {}
    for label, args in tf.modules.items():
        if block_kind(args) == TRIGGER:
            key, wiring_problems = _trigger_wiring(system, tf, label, args)
            problems += wiring_problems
            if key:
                in_terraform[key] = args
    declared = {(t.function, t.queue): t for t in system.triggers}
    problems += presence_drift(
        "trigger", {f"{f} <- {q}" for f, q in declared}, {f"{f} <- {q}" for f, q in in_terraform}
    )
    for key in sorted(set(declared) & set(in_terraform)):
        trigger, args, subject = declared[key], in_terraform[key], f"trigger {key[0]} <- {key[1]}"
        for setting, expected in (
            ("batch_size", trigger.batch_size),
            ("maximum_batching_window_seconds", trigger.maximum_batching_window_seconds),
            ("maximum_concurrency", trigger.maximum_concurrency),
        ):
            problems += compare(subject, setting, expected, args.get(setting))
    return problems


def _trigger_wiring(
    system: SystemDeclaration, tf: Terraform, label: str, args: dict[str, Any]
) -> tuple[tuple[str, str] | None, list[str]]:
    """The (function, queue) a trigger module connects, or the reasons it connects none."""
    function = resolve(tf, args.get("function_name"))
    if not function or function[0] != "function":
        return None, [f"trigger {label!r}: function_name is not a function module's function_name"]
    if resolve(tf, args.get("function_role_name")) != ("function", function[1], "role_name"):
        return None, [f"trigger {label!r}: function_role_name is not the role of {function[1]!r}"]
    queue = resolve(tf, args.get("queue_arn"))
    if not queue or queue[0] != "queue" or queue[2] != "arn" or queue[1] not in system.queues:
        return None, [f"trigger {label!r}: queue_arn is not the ARN of a declared source queue"]
    problems = []
    queue_module = queue_arn_reference["name"] if (queue_arn_reference := REFERENCE.match(args["queue_arn"])) else ""
    if args.get("queue_fifo") != f"${{module.{queue_module}.fifo}}":
        problems.append(f"trigger {label!r}: queue_fifo must be module.{queue_module}.fifo")
    expected_label = f"{snake(function[1])}_from_{snake(queue[1])}"
    if label != expected_label:
        problems.append(f"trigger {label!r}: should be labelled {expected_label!r}")
    return (function[1], queue[1]), problems


def http_api_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    instances = module_instances(tf, "http_api")
    problems = presence_drift("HTTP API", set(system.http_apis), set(instances))
    for name in sorted(set(system.http_apis) & set(instances)):
        api, (_, args), subject = system.http_apis[name], instances[name], f"HTTP API {name!r}"
        problems += _routes_drift(subject, api.routes, args, tf)
        problems += _cors_drift(subject, api.cors, args.get("cors"))
    return problems


def websocket_api_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    """Each declared WebSocket API has a module with its routes, reporting the URLs the deployer would."""
    instances = module_instances(tf, "websocket_api")
    problems = presence_drift("WebSocket API", set(system.websocket_apis), set(instances))
    for name in sorted(set(system.websocket_apis) & set(instances)):
        (_, args), subject = instances[name], f"WebSocket API {name!r}"
        problems += _routes_drift(subject, system.websocket_apis[name].routes, args, tf)
        # Its URLs (functions' settings) are the emulator's when the configuration targets one.
        problems += compare(
            subject, "emulator_endpoint_url", "${var.aws_endpoint_url}", args.get("emulator_endpoint_url")
        )
    return problems


def _routes_drift(subject: str, declared: dict[str, str], args: dict[str, Any], tf: Terraform) -> list[str]:
    """An API module's routes are the declared ones, each to its function, wired to that function."""
    routes: dict[str, str] = args.get("routes", {})
    problems = [f"{subject}: route {r!r} is declared but not in Terraform" for r in sorted(set(declared) - set(routes))]
    problems += [
        f"{subject}: route {r!r} is in Terraform but not declared" for r in sorted(set(routes) - set(declared))
    ]
    problems += [
        f"{subject}: route {r!r} targets {routes[r]!r} instead of {declared[r]!r}"
        for r in sorted(set(declared) & set(routes))
        if routes[r] != declared[r]
    ]
    for function, wiring in args.get("functions", {}).items():
        for attribute in ("function_name", "invoke_arn"):
            if resolve(tf, wiring.get(attribute)) != ("function", function, attribute):
                problems.append(f"{subject}: functions[{function!r}].{attribute} is not that function's")
    return problems


def _cors_drift(subject: str, declared: Cors | None, in_terraform: Any) -> list[str]:
    """The CORS configuration, setting by setting (every setting spelled out in the module call)."""
    if declared is None or not isinstance(in_terraform, dict):
        return compare(subject, "cors", None if declared is None else declared.model_dump(), in_terraform)
    expected = declared.model_dump()
    return [
        problem
        for setting in sorted(set(expected) | set(in_terraform))
        for problem in compare(subject, f"cors {setting}", expected.get(setting), in_terraform.get(setting))
    ]
