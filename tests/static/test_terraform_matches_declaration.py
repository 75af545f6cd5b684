"""infra/terraform declares exactly the system in infra/system.yaml, and nothing else.

Terraform is parsed here, not planned. Each `module` block in the root is one building block (its
`source` says which) whose `name` argument is a logical name from the declaration; a reference such
as `module.orders_table.arn` is resolved through that module's arguments to ("table", "orders",
"arn"). `terraform_drift` compares the two sides and returns every mismatch as a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hcl2.utils import SerializationOptions

from pizza_ops.system import (
    REPO_ROOT,
    DeadLetter,
    LiteralValue,
    Permission,
    Queue,
    QueueRef,
    SystemDeclaration,
    TableRef,
    load_system,
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
DYNAMODB_READ = {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"}
EXPECTED_ACTIONS = {
    "dynamodb_read_actions": DYNAMODB_READ,
    "dynamodb_read_write_actions": DYNAMODB_READ
    | {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"},
    "sqs_send_actions": {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"},
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
def _root() -> Terraform:
    return parse_terraform(TERRAFORM_DIR)


@cache
def _module(name: str) -> Terraform:
    return parse_terraform(MODULES_DIR / name)


def _snake(logical: str) -> str:
    return logical.replace("-", "_")


def _kind(arguments: dict[str, Any]) -> str:
    return str(arguments.get("source", "")).removeprefix("./modules/")


def _instances(tf: Terraform, kind: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Module instances of one building block, by the logical name they pass as `name`."""
    return {args.get("name"): (label, args) for label, args in tf.modules.items() if _kind(args) == kind}


def _resolve(tf: Terraform, expression: Any) -> tuple[str, str, str] | None:
    """`${module.X.out}` as (declared kind, declared logical name, attribute), else None."""
    match = _REFERENCE.match(expression) if isinstance(expression, str) else None
    if not match or match["root"] != "module" or match["name"] not in tf.modules:
        return None
    args = tf.modules[match["name"]]
    attribute, kind = match["attribute"], _kind(args)
    if kind == "dynamodb_table":
        return ("table", args.get("name"), attribute)
    if kind == "queue_with_dlq" and attribute.startswith("dlq_"):
        return ("queue", args.get("dlq_name"), attribute.removeprefix("dlq_"))
    if kind == "queue_with_dlq":
        return ("queue", args.get("name"), attribute)
    if kind == "lambda_function":
        return ("function", args.get("name"), attribute)
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
        kind = _kind(args)
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
        names = [args.get("name") for args in tf.modules.values() if _kind(args) == kind]
        problems.extend(f"{kind} {n!r} has more than one module" for n in sorted(set(names)) if names.count(n) > 1)
    return problems


def _name_prefix_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    default = tf.variables.get("name_prefix", {}).get("default")
    return _compare("variable name_prefix", "the default", system.name_prefix, default)


def _table_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    instances = _instances(tf, "dynamodb_table")
    problems = _presence_drift("table", set(system.tables), set(instances))
    for name in sorted(set(system.tables) & set(instances)):
        _, args = instances[name]
        problems += _compare(f"table {name!r}", "hash_key", system.tables[name].hash_key, args.get("hash_key"))
    return problems


def _queue_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    instances = _instances(tf, "queue_with_dlq")
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
        problems += _compare(
            subject,
            "visibility_timeout_seconds",
            queue.visibility_timeout_seconds,
            args.get("visibility_timeout_seconds"),
        )
        problems += _compare(subject, "fifo", queue.fifo, _value(tf, args.get("fifo", False)))
        problems += _compare(
            subject,
            "alarm_oldest_message_age_seconds",
            queue.alarm_oldest_message_age_seconds,
            args.get("alarm_oldest_message_age_seconds"),
        )
    return problems


def _function_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    instances = _instances(tf, "lambda_function")
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
    expected = {("table", p.table, p.access) if p.table else ("queue", p.queue, p.access) for p in declared}
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
        if _kind(args) == TRIGGER:
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
    queue_module = _REFERENCE.match(args["queue_arn"])["name"]
    if args.get("queue_fifo") != f"${{module.{queue_module}.fifo}}":
        problems.append(f"trigger {label!r}: queue_fifo must be module.{queue_module}.fifo")
    expected_label = f"{_snake(function[1])}_from_{_snake(queue[1])}"
    if label != expected_label:
        problems.append(f"trigger {label!r}: should be labelled {expected_label!r}")
    return (function[1], queue[1]), problems


def _http_api_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    instances = _instances(tf, "http_api")
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


# --- The tests ---------------------------------------------------------------------------------


def test_terraform_declares_exactly_the_declared_system() -> None:
    # Given the declaration and the Terraform root module
    system, tf = load_system(), _root()

    # When they are compared
    drift = terraform_drift(system, tf)

    # Then there is no difference
    assert not drift, "infra/terraform and infra/system.yaml differ:\n" + "\n".join(drift)


def _with_extra_queue(system: SystemDeclaration) -> SystemDeclaration:
    extra = Queue(dead_letter=DeadLetter(name="payments-dlq", max_receive_count=3))
    return system.model_copy(update={"queues": {**system.queues, "payments": extra}})


def _without_function(system: SystemDeclaration) -> SystemDeclaration:
    functions = {k: v for k, v in system.functions.items() if k != "kitchen-processor"}
    return system.model_copy(update={"functions": functions})


def _with_fewer_permissions(system: SystemDeclaration) -> SystemDeclaration:
    function = system.functions["order-api"]
    narrowed = function.model_copy(update={"permissions": function.permissions[:1]})
    return system.model_copy(update={"functions": {**system.functions, "order-api": narrowed}})


def _with_extra_environment(system: SystemDeclaration) -> SystemDeclaration:
    function = system.functions["kitchen-processor"]
    environment = {**function.environment, "PAYMENTS_QUEUE_URL": QueueRef(queue="kitchen-orders")}
    changed = function.model_copy(update={"environment": environment})
    return system.model_copy(update={"functions": {**system.functions, "kitchen-processor": changed}})


def _with_bigger_batches(system: SystemDeclaration) -> SystemDeclaration:
    triggers = [t.model_copy(update={"batch_size": 25}) for t in system.triggers]
    return system.model_copy(update={"triggers": triggers})


def _with_extra_route(system: SystemDeclaration) -> SystemDeclaration:
    api = system.http_apis["orders"]
    routes = {**api.routes, "DELETE /orders/{orderId}": "order-api"}
    return system.model_copy(update={"http_apis": {"orders": api.model_copy(update={"routes": routes})}})


def _with_kitchen_fifo(system: SystemDeclaration) -> SystemDeclaration:
    return system.with_fifo("kitchen-orders", True)


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (_with_extra_queue, "queue 'payments' is declared but has no Terraform module"),
        (_without_function, "function 'kitchen-processor' has a Terraform module but is not declared"),
        (_with_fewer_permissions, "Terraform grants ('queue', 'kitchen-orders', 'send'), which is not declared"),
        (_with_extra_environment, "environment variable PAYMENTS_QUEUE_URL is declared but not set in Terraform"),
        (_with_bigger_batches, "batch_size is 10 in Terraform but 25 in the declaration"),
        (_with_extra_route, "route 'DELETE /orders/{orderId}' is declared but not in Terraform"),
        (_with_kitchen_fifo, "queue 'kitchen-orders': fifo is False in Terraform but True"),
    ],
)
def test_drift_is_reported_when_the_declaration_changes(change, reported: str) -> None:
    # Given a declaration changed without touching the Terraform
    system = change(load_system())

    # When it is compared with the Terraform
    drift = terraform_drift(system, _root())

    # Then the difference is reported
    assert any(reported in line for line in drift), drift


def test_drift_is_reported_for_an_undeclared_module_and_a_wildcard_resource() -> None:
    # Given Terraform with a table nobody declared and a policy statement on every table
    tf = _root()
    order_api = tf.modules["order_api_function"]
    wildcard = {"sid": "AnyTable", "actions": "${local.dynamodb_read_actions}", "resources": ["*"]}
    modules = {
        **tf.modules,
        "audit_log_table": {"source": "./modules/dynamodb_table", "name": "audit-log", "hash_key": "id"},
        "order_api_function": {**order_api, "policy_statements": [*order_api["policy_statements"], wildcard]},
    }

    # When it is compared with the declaration
    drift = terraform_drift(load_system(), replace(tf, modules=modules))

    # Then both are reported
    assert "table 'audit-log' has a Terraform module but is not declared" in drift
    assert "function 'order-api': statement AnyTable names '*', not the ARN of one table" in drift


def test_kitchen_channel_is_switched_to_fifo_by_one_variable_defaulting_to_the_declaration() -> None:
    # Given the kitchen-orders queue module and the declaration
    args = _root().modules["kitchen_orders_queue"]
    declared = load_system().queues["kitchen-orders"].fifo

    # Then its FIFO-ness is var.kitchen_queue_fifo, whose default is the declared value
    assert args["fifo"] == "${var.kitchen_queue_fifo}"
    assert _root().variables["kitchen_queue_fifo"]["default"] is declared


def test_tables_keep_streams_and_point_in_time_recovery() -> None:
    # Given the table building block
    table = _module("dynamodb_table").resources[("aws_dynamodb_table", "this")]

    # Then every table is on-demand, streams old and new images and can be restored to a point in time
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["attribute"] == [{"name": "${var.hash_key}", "type": "S"}]
    assert (table["stream_enabled"], table["stream_view_type"]) == (True, "NEW_AND_OLD_IMAGES")
    assert table["point_in_time_recovery"] == [{"enabled": True}]
    assert table["name"] == "${var.name_prefix}-${var.name}"


def test_queue_dead_letters_after_max_receives_and_alarms_on_dlq_depth_and_message_age() -> None:
    # Given the queue building block
    queue_module = _module("queue_with_dlq")
    queue = queue_module.resources[("aws_sqs_queue", "this")]
    dlq = queue_module.resources[("aws_sqs_queue", "dead_letter")]
    allow = queue_module.resources[("aws_sqs_queue_redrive_allow_policy", "dead_letter")]
    depth = queue_module.resources[("aws_cloudwatch_metric_alarm", "dead_letter_not_empty")]
    age = queue_module.resources[("aws_cloudwatch_metric_alarm", "oldest_message_age")]

    # Then both queues are encrypted, FIFO together, and named with the same suffix
    for q in (queue, dlq):
        assert q["sqs_managed_sse_enabled"] is True
        assert q["fifo_queue"] == "${var.fifo}"
        assert q["content_based_deduplication"] == "${var.fifo ? false : null}"
    assert queue_module.locals["suffix"] == '${var.fifo ? ".fifo" : ""}'
    assert queue["name"] == "${local.queue_name}" and dlq["name"] == "${local.dlq_name}"
    assert queue["visibility_timeout_seconds"] == "${var.visibility_timeout_seconds}"
    # And messages move to the DLQ after max_receive_count receives, and only from this queue
    assert "aws_sqs_queue.dead_letter.arn" in queue["redrive_policy"]
    assert "maxReceiveCount = var.max_receive_count" in queue["redrive_policy"]
    assert "sourceQueueArns = [aws_sqs_queue.this.arn]" in allow["redrive_allow_policy"]
    # And an alarm fires on any message in the DLQ, another when set on the oldest message's age
    assert (depth["metric_name"], depth["comparison_operator"], depth["threshold"]) == (
        "ApproximateNumberOfMessagesVisible",
        "GreaterThanThreshold",
        0,
    )
    assert depth["dimensions"] == {"QueueName": "${aws_sqs_queue.dead_letter.name}"}
    assert (age["metric_name"], age["threshold"]) == (
        "ApproximateAgeOfOldestMessage",
        "${var.alarm_oldest_message_age_seconds}",
    )
    assert age["dimensions"] == {"QueueName": "${aws_sqs_queue.this.name}"}
    assert age["count"] == "${var.alarm_oldest_message_age_seconds == null ? 0 : 1}"


def test_every_declared_oldest_age_threshold_reaches_an_alarm() -> None:
    # Given the queues that declare an oldest-message-age alarm
    declared = {n: q.alarm_oldest_message_age_seconds for n, q in load_system().queues.items()}

    # Then each queue module passes that threshold to its alarm
    passed = {
        name: args.get("alarm_oldest_message_age_seconds")
        for name, (_, args) in _instances(_root(), "queue_with_dlq").items()
    }
    assert passed == declared


def test_function_role_grants_only_the_statements_passed_in_plus_its_own_logs() -> None:
    # Given the function building block
    function_module = _module("lambda_function")
    access = function_module.data[("aws_iam_policy_document", "access")]
    logs = function_module.data[("aws_iam_policy_document", "logs")]
    policies = {name for (type_, name) in function_module.resources if type_ == "aws_iam_role_policy"}
    attachments = [k for k in function_module.resources if k[0] == "aws_iam_role_policy_attachment"]

    # Then its access policy is built from policy_statements only
    assert "statement" not in access
    [statement] = access["dynamic"]
    assert statement["statement"]["for_each"] == "${var.policy_statements}"
    assert statement["statement"]["content"] == [
        {
            "sid": "${statement.value.sid}",
            "effect": "Allow",
            "actions": "${statement.value.actions}",
            "resources": "${statement.value.resources}",
        }
    ]
    # And its only other grant writes to its own log group
    assert logs["statement"] == [
        {
            "sid": "WriteOwnLogs",
            "effect": "Allow",
            "actions": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "resources": ["${aws_cloudwatch_log_group.this.arn}:*"],
        }
    ]
    assert policies == {"access", "logs"} and attachments == []


def test_function_runs_an_image_or_a_zip_with_telemetry_environment() -> None:
    # Given the function building block
    function_module = _module("lambda_function")
    function = function_module.resources[("aws_lambda_function", "this")]

    # Then an image runs the handler as its command, a zip names it as the handler
    [image_config] = function["dynamic"]
    assert image_config["image_config"]["content"] == [{"command": ["${image_config.value}"]}]
    assert image_config["image_config"]["for_each"] == "${local.is_image ? [var.handler] : []}"
    assert function["handler"] == "${local.is_image ? null : var.handler}"
    assert function["filename"] == "${local.is_image ? null : var.zip_path}"
    assert function["package_type"] == "${var.package_type}"
    # And the telemetry variables are added to the declared environment
    assert set(function_module.locals["telemetry_environment"]) == TELEMETRY_VARIABLES
    assert function["environment"] == [{"variables": "${merge(var.environment, local.telemetry_environment)}"}]


def test_sqs_trigger_reports_partial_failures_and_receives_from_its_queue_only() -> None:
    # Given the trigger building block
    trigger_module = _module("sqs_trigger")
    mapping = trigger_module.resources[("aws_lambda_event_source_mapping", "this")]
    [statement] = trigger_module.data[("aws_iam_policy_document", "receive")]["statement"]

    # Then failed records are retried one by one, under a concurrency cap
    assert mapping["function_response_types"] == ["ReportBatchItemFailures"]
    assert mapping["scaling_config"] == [{"maximum_concurrency": "${var.maximum_concurrency}"}]
    assert mapping["batch_size"] == "${var.batch_size}"
    assert mapping["maximum_batching_window_in_seconds"] == (
        "${var.queue_fifo ? null : var.maximum_batching_window_seconds}"
    )
    # And the function's role may consume this queue and no other
    assert set(statement["actions"]) == {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ChangeMessageVisibility",
    }
    assert statement["resources"] == ["${var.queue_arn}"]
    assert trigger_module.resources[("aws_iam_role_policy", "receive")]["role"] == "${var.function_role_name}"


def test_http_api_invokes_functions_with_payload_v2_from_this_api_only() -> None:
    # Given the HTTP API building block
    api_module = _module("http_api")
    stage = api_module.resources[("aws_apigatewayv2_stage", "default")]
    integration = api_module.resources[("aws_apigatewayv2_integration", "lambda")]
    permission = api_module.resources[("aws_lambda_permission", "invoke")]

    # Then routes reach Lambda through AWS_PROXY integrations with payload format 2.0
    assert api_module.resources[("aws_apigatewayv2_api", "this")]["protocol_type"] == "HTTP"
    assert (stage["name"], stage["auto_deploy"]) == ("$default", True)
    assert (integration["integration_type"], integration["payload_format_version"]) == ("AWS_PROXY", "2.0")
    # And each function may be invoked by this API's execution ARN only
    assert permission["for_each"] == "${var.functions}"
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["source_arn"] == "${aws_apigatewayv2_api.this.execution_arn}/*/*"


def test_one_endpoint_variable_sends_every_used_service_to_an_emulator() -> None:
    # Given the provider configuration
    tf = _root()
    provider = tf.providers["aws"]

    # Then a non-empty aws_endpoint_url routes every service the system uses to it
    [endpoints] = provider["dynamic"]
    assert endpoints["endpoints"]["for_each"] == "${local.emulated ? [var.aws_endpoint_url] : []}"
    [content] = endpoints["endpoints"]["content"]
    assert content == dict.fromkeys(EMULATED_SERVICES, "${endpoints.value}")
    assert tf.locals["emulated"] == '${var.aws_endpoint_url != ""}'
    assert tf.variables["aws_endpoint_url"]["default"] == ""
    # And the AWS-only checks are skipped there
    for setting in (
        "skip_credentials_validation",
        "skip_requesting_account_id",
        "skip_metadata_api_check",
        "s3_use_path_style",
    ):
        assert provider[setting] == "${local.emulated}"


def test_functions_deploy_as_images_or_zips_chosen_by_one_variable() -> None:
    # Given the root variables and the function modules
    tf = _root()
    functions = [args for args in tf.modules.values() if _kind(args) == "lambda_function"]

    # Then every function follows lambda_package_type and exports to otlp_endpoint
    assert tf.variables["lambda_package_type"]["default"] == "Image"
    assert tf.variables["service_images"]["default"] == {}
    assert functions
    for args in functions:
        assert args["package_type"] == "${var.lambda_package_type}"
        assert args["otlp_endpoint"] == "${var.otlp_endpoint}"
        assert args["name_prefix"] == "${var.name_prefix}"
