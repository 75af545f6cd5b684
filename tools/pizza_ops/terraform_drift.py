"""Drift between infra/terraform and infra/system.yaml: what one declares and the other does not.

Terraform is parsed (python-hcl2), not planned. Each `module` block in the root is one building block (its
`source` says which) whose `name` argument is a logical name from the declaration; a reference such
as `module.orders_table.arn` is resolved through that module's arguments to ("table", "orders",
"arn"). `terraform_drift` compares the two sides and returns every mismatch as a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions

from pizza_ops.deploy import iam
from pizza_ops.system import (
    REPO_ROOT,
    LiteralValue,
    Permission,
    QueueRef,
    SystemDeclaration,
    TableRef,
)

TERRAFORM_DIR = REPO_ROOT / "infra" / "terraform"
MODULES_DIR = TERRAFORM_DIR / "modules"
_HCL = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)

# Root module label = <logical name in snake case>_<suffix>; triggers are <function>_from_<queue>.
LABEL_SUFFIXES = {
    "dynamodb_table": "table",
    "queue_with_dlq": "queue",
    "lambda_function": "function",
    "http_api": "http_api",
}
TRIGGER = "sqs_trigger"

# A declared access level, the resource kind it applies to, and the local (permissions.tf) that
# spells it as IAM actions.
ACCESS = {
    "read": ("table", "dynamodb_read_actions"),
    "read_write": ("table", "dynamodb_read_write_actions"),
    "send": ("queue", "sqs_send_actions"),
}
# The same action sets the embedded deployer grants (pizza_ops.deploy.iam), so both sides agree.
EXPECTED_ACTIONS = {
    "dynamodb_read_actions": set(iam.TABLE_READ),
    "dynamodb_read_write_actions": set(iam.TABLE_READ + iam.TABLE_WRITE),
    "sqs_send_actions": set(iam.QUEUE_SEND),
}
TELEMETRY_VARIABLES = {"OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT", "POWERTOOLS_SERVICE_NAME"}
EMULATED_SERVICES = {
    "apigatewayv2", "cloudwatch", "dynamodb", "events", "iam", "kms", "lambda", "logs", "s3",
    "scheduler", "sns", "sqs", "sts",
}  # fmt: skip

_REFERENCE = re.compile(r"^\$\{(?P<root>module|var|local)\.(?P<name>\w+)(?:\.(?P<attribute>\w+))?\}$")
_SID = re.compile(r"^[A-Za-z0-9]+$")


# --- Reading Terraform -------------------------------------------------------------------------


@dataclass(frozen=True)
class Terraform:
    """The blocks of one Terraform directory, merged across its files."""

    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    data: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)


def parse_terraform(directory: Path) -> Terraform:
    parsed = Terraform()
    for path in sorted(directory.glob("*.tf")):
        document = hcl2.loads(path.read_text(encoding="utf-8"), serialization_options=_HCL)
        for block in document.get("module", []):
            parsed.modules.update(block)
        for block in document.get("variable", []):
            parsed.variables.update(block)
        for block in document.get("locals", []):
            parsed.locals.update(block)
        for block in document.get("provider", []):
            parsed.providers.update(block)
        for kind, target in (("resource", parsed.resources), ("data", parsed.data)):
            for block in document.get(kind, []):
                for type_, named in block.items():
                    target.update({(type_, name): body for name, body in named.items()})
    return parsed


@cache
def root_module() -> Terraform:
    return parse_terraform(TERRAFORM_DIR)


@cache
def building_block(name: str) -> Terraform:
    return parse_terraform(MODULES_DIR / name)


def _snake(logical: str) -> str:
    return logical.replace("-", "_")


def block_kind(arguments: dict[str, Any]) -> str:
    return str(arguments.get("source", "")).removeprefix("./modules/")


def module_instances(tf: Terraform, kind: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Module instances of one building block, by the logical name they pass as `name`."""
    return {str(args.get("name")): (label, args) for label, args in tf.modules.items() if block_kind(args) == kind}


def _resolve(tf: Terraform, expression: Any) -> tuple[str, str, str] | None:
    """`${module.X.out}` as (declared kind, declared logical name, attribute), else None."""
    match = _REFERENCE.match(expression) if isinstance(expression, str) else None
    if not match or match["root"] != "module" or match["name"] not in tf.modules:
        return None
    args = tf.modules[match["name"]]
    attribute, kind = str(match["attribute"]), block_kind(args)
    if kind == "dynamodb_table":
        return ("table", str(args.get("name")), attribute)
    if kind == "queue_with_dlq" and attribute.startswith("dlq_"):
        return ("queue", str(args.get("dlq_name")), attribute.removeprefix("dlq_"))
    if kind == "queue_with_dlq":
        return ("queue", str(args.get("name")), attribute)
    if kind == "lambda_function":
        return ("function", str(args.get("name")), attribute)
    return None


def _value(tf: Terraform, expression: Any) -> Any:
    """A literal as is; `${var.X}` as the variable's default."""
    match = _REFERENCE.match(expression) if isinstance(expression, str) else None
    if match and match["root"] == "var":
        return tf.variables.get(match["name"], {}).get("default")
    return expression


# --- The comparison ----------------------------------------------------------------------------


def terraform_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    """Every difference between the declaration and the root Terraform module, as sentences."""
    return [
        *_module_drift(tf),
        *_name_prefix_drift(system, tf),
        *_table_drift(system, tf),
        *_queue_drift(system, tf),
        *_function_drift(system, tf),
        *_trigger_drift(system, tf),
        *_http_api_drift(system, tf),
        *_access_action_drift(tf),
    ]


def _presence_drift(what: str, declared: set[str], in_terraform: set[str]) -> list[str]:
    return [f"{what} {n!r} is declared but has no Terraform module" for n in sorted(declared - in_terraform)] + [
        f"{what} {n!r} has a Terraform module but is not declared" for n in sorted(in_terraform - declared)
    ]


def _compare(subject: str, setting: str, declared: Any, in_terraform: Any) -> list[str]:
    if declared == in_terraform:
        return []
    return [f"{subject}: {setting} is {in_terraform!r} in Terraform but {declared!r} in the declaration"]


def _module_drift(tf: Terraform) -> list[str]:
    problems: list[str] = []
    for label, args in tf.modules.items():
        kind = block_kind(args)
        if kind in LABEL_SUFFIXES:
            expected = f"{_snake(str(args.get('name')))}_{LABEL_SUFFIXES[kind]}"
            if label != expected:
                problems.append(
                    f"module {label!r}: a {kind} named {args.get('name')!r} should be labelled {expected!r}"
                )
        elif kind != TRIGGER:
            problems.append(f"module {label!r}: source {args.get('source')!r} is not a building block")
    problems += [
        f"resource {type_}.{name} is declared in the root module; compose building blocks instead"
        for type_, name in tf.resources
    ]
    for kind in LABEL_SUFFIXES:
        names = [str(args.get("name")) for args in tf.modules.values() if block_kind(args) == kind]
        problems.extend(f"{kind} {n!r} has more than one module" for n in sorted(set(names)) if names.count(n) > 1)
    return problems


def _name_prefix_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    default = tf.variables.get("name_prefix", {}).get("default")
    return _compare("variable name_prefix", "the default", system.name_prefix, default)


def _table_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    instances = module_instances(tf, "dynamodb_table")
    problems = _presence_drift("table", set(system.tables), set(instances))
    for name in sorted(set(system.tables) & set(instances)):
        _, args = instances[name]
        problems += _compare(f"table {name!r}", "hash_key", system.tables[name].hash_key, args.get("hash_key"))
    return problems


def _queue_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    instances = module_instances(tf, "queue_with_dlq")
    problems = _presence_drift("queue", set(system.queues), set(instances))
    for name in sorted(set(system.queues) & set(instances)):
        queue, (_, args), subject = system.queues[name], instances[name], f"queue {name!r}"
        if queue.dead_letter is None:
            problems.append(f"{subject}: Terraform gives it a dead-letter queue, the declaration none")
        else:
            problems += _compare(subject, "the DLQ", queue.dead_letter.name, args.get("dlq_name"))
            problems += _compare(
                subject, "max_receive_count", queue.dead_letter.max_receive_count, args.get("max_receive_count")
            )
        for setting, declared in (
            ("visibility_timeout_seconds", queue.visibility_timeout_seconds),
            ("alarm_oldest_message_age_seconds", queue.alarm_oldest_message_age_seconds),
        ):
            problems += _compare(subject, setting, declared, args.get(setting))
        problems += _compare(subject, "fifo", queue.fifo, _value(tf, args.get("fifo", False)))
    return problems


def _function_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    instances = module_instances(tf, "lambda_function")
    problems = _presence_drift("function", set(system.functions), set(instances))
    for name in sorted(set(system.functions) & set(instances)):
        function, (_, args), subject = system.functions[name], instances[name], f"function {name!r}"
        for setting, declared in (
            ("service_name", function.service_name),
            ("handler", function.handler),
            ("timeout_seconds", function.timeout_seconds),
            ("memory_mb", function.memory_mb),
        ):
            problems += _compare(subject, setting, declared, args.get(setting))
        package = function.package
        problems += _compare(
            subject, "image_uri", f'${{lookup(var.service_images, "{package}", null)}}', args.get("image_uri")
        )
        problems += _compare(subject, "zip_path", f"${{var.lambda_zip_dir}}/{package}.zip", args.get("zip_path"))
        problems += _environment_drift(subject, function.environment, args.get("environment", {}), tf)
        problems += _permission_drift(subject, function.permissions, args.get("policy_statements", []), tf)
    return problems


def _environment_drift(
    subject: str, declared: dict[str, Any], in_terraform: dict[str, Any], tf: Terraform
) -> list[str]:
    problems = [
        f"{subject}: environment variable {k} is declared but not set in Terraform"
        for k in sorted(set(declared) - set(in_terraform))
    ]
    problems += [
        f"{subject}: environment variable {k} is set in Terraform but not declared"
        for k in sorted(set(in_terraform) - set(declared))
    ]
    for key in sorted(set(declared) & set(in_terraform)):
        ref, actual = declared[key], in_terraform[key]
        if isinstance(ref, TableRef):
            expected: Any = ("table", ref.table, "name")
        elif isinstance(ref, QueueRef):
            expected = ("queue", ref.queue, "url")
        else:
            assert isinstance(ref, LiteralValue)
            expected = ref.value
        got = actual if isinstance(expected, str) else (_resolve(tf, actual) or actual)
        problems += _compare(subject, f"environment variable {key}", expected, got)
    return problems


def _permission_drift(
    subject: str, declared: list[Permission], statements: list[dict[str, Any]], tf: Terraform
) -> list[str]:
    expected: set[tuple[str, str, str]] = {
        ("table", p.table, p.access) if p.table else ("queue", str(p.queue), p.access) for p in declared
    }
    granted: set[tuple[str, str, str]] = set()
    problems: list[str] = []
    access_by_local = {local: (kind, access) for access, (kind, local) in ACCESS.items()}
    for statement in statements:
        sid = statement.get("sid", "")
        if not _SID.match(str(sid)):
            problems.append(f"{subject}: statement sid {sid!r} is not alphanumeric")
        match = _REFERENCE.match(str(statement.get("actions")))
        if not match or match["root"] != "local" or match["name"] not in access_by_local:
            problems.append(f"{subject}: statement {sid} grants actions that are no declared access level")
            continue
        kind, access = access_by_local[match["name"]]
        for resource in statement.get("resources", []):
            target = _resolve(tf, resource)
            if target is None or target[2] != "arn" or target[0] != kind:
                problems.append(f"{subject}: statement {sid} names {resource!r}, not the ARN of one {kind}")
            else:
                granted.add((kind, target[1], access))
    problems += [f"{subject}: declared permission {p} is not granted" for p in sorted(expected - granted)]
    problems += [f"{subject}: Terraform grants {p}, which is not declared" for p in sorted(granted - expected)]
    return problems


def _trigger_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    problems: list[str] = []
    in_terraform: dict[tuple[str, str], dict[str, Any]] = {}
    for label, args in tf.modules.items():
        if block_kind(args) == TRIGGER:
            key, wiring_problems = _trigger_wiring(system, tf, label, args)
            problems += wiring_problems
            if key:
                in_terraform[key] = args
    declared = {(t.function, t.queue): t for t in system.triggers}
    problems += _presence_drift(
        "trigger", {f"{f} <- {q}" for f, q in declared}, {f"{f} <- {q}" for f, q in in_terraform}
    )
    for key in sorted(set(declared) & set(in_terraform)):
        trigger, args, subject = declared[key], in_terraform[key], f"trigger {key[0]} <- {key[1]}"
        for setting, value in (
            ("batch_size", trigger.batch_size),
            ("maximum_batching_window_seconds", trigger.maximum_batching_window_seconds),
            ("maximum_concurrency", trigger.maximum_concurrency),
        ):
            problems += _compare(subject, setting, value, args.get(setting))
    return problems


def _trigger_wiring(
    system: SystemDeclaration, tf: Terraform, label: str, args: dict[str, Any]
) -> tuple[tuple[str, str] | None, list[str]]:
    """The (function, queue) a trigger module connects, or the reasons it connects none."""
    function = _resolve(tf, args.get("function_name"))
    if not function or function[0] != "function":
        return None, [f"trigger {label!r}: function_name is not a function module's function_name"]
    if _resolve(tf, args.get("function_role_name")) != ("function", function[1], "role_name"):
        return None, [f"trigger {label!r}: function_role_name is not the role of {function[1]!r}"]
    queue = _resolve(tf, args.get("queue_arn"))
    if not queue or queue[0] != "queue" or queue[2] != "arn" or queue[1] not in system.queues:
        return None, [f"trigger {label!r}: queue_arn is not the ARN of a declared source queue"]
    problems = []
    queue_module = queue_arn_reference["name"] if (queue_arn_reference := _REFERENCE.match(args["queue_arn"])) else ""
    if args.get("queue_fifo") != f"${{module.{queue_module}.fifo}}":
        problems.append(f"trigger {label!r}: queue_fifo must be module.{queue_module}.fifo")
    expected_label = f"{_snake(function[1])}_from_{_snake(queue[1])}"
    if label != expected_label:
        problems.append(f"trigger {label!r}: should be labelled {expected_label!r}")
    return (function[1], queue[1]), problems


def _http_api_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    instances = module_instances(tf, "http_api")
    problems = _presence_drift("HTTP API", set(system.http_apis), set(instances))
    for name in sorted(set(system.http_apis) & set(instances)):
        declared, (_, args), subject = system.http_apis[name].routes, instances[name], f"HTTP API {name!r}"
        routes: dict[str, str] = args.get("routes", {})
        problems += [
            f"{subject}: route {r!r} is declared but not in Terraform" for r in sorted(set(declared) - set(routes))
        ]
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
                if _resolve(tf, wiring.get(attribute)) != ("function", function, attribute):
                    problems.append(f"{subject}: functions[{function!r}].{attribute} is not that function's")
    return problems


def _access_action_drift(tf: Terraform) -> list[str]:
    problems: list[str] = []
    for local, expected in EXPECTED_ACTIONS.items():
        actions = tf.locals.get(local)
        if not isinstance(actions, list) or set(actions) != expected or any("*" in a for a in actions):
            problems.append(f"local {local} is {actions!r}; expected exactly {sorted(expected)}")
    return problems
