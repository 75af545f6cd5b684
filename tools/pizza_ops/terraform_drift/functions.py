"""Drift in functions: settings, environment references, and least-privilege policy statements."""

from __future__ import annotations

import re
from typing import Any

from pizza_ops.deploy import iam
from pizza_ops.system import EnvironmentValue, Function, LiteralValue, Permission, SystemDeclaration, Table
from pizza_ops.terraform_drift.terraform import (
    REFERENCE,
    Target,
    Terraform,
    compare,
    module_instances,
    presence_drift,
    resolve,
    value,
)

# A declared (kind, access), as the permissions.tf locals that spell its actions, each granted on
# one attribute of the resource's module. Same order as the deployer's grants (iam.GRANTS).
ACCESS: dict[tuple[str, str], list[tuple[str, str]]] = {
    **{("table", access): [(f"dynamodb_{access}_actions", "arn")] for access in iam.TABLE_ITEM_ACTIONS},
    # Granted on each of the table's indexes instead (INDEX_QUERY).
    ("table", "query_indexes"): [],
    ("table", "read_stream"): [("dynamodb_stream_read_actions", "streams_arn")],
    ("queue", "send"): [("sqs_send_actions", "arn")],
    ("queue", "postpone"): [("sqs_postpone_actions", "arn")],
    ("key", "encrypt"): [("kms_encrypt_actions", "arn")],
    ("key", "decrypt"): [("kms_decrypt_actions", "arn")],
    ("topic", "publish"): [("sns_publish_actions", "arn")],
    ("bus", "publish"): [("events_put_actions", "arn")],
    ("schedule_group", "create"): [
        ("scheduler_schedule_actions", "schedules_arn"),
        ("iam_pass_role_actions", "role_arn"),
    ],
    ("function", "invoke"): [("lambda_invoke_actions", "alias_arn")],
    ("function", "run_durable"): [("lambda_durable_run_actions", "durable_executions_arn")],
    ("function", "answer_callbacks"): [("lambda_durable_answer_actions", "durable_executions_arn")],
    # On `objects_arn` (every object), or `prefix_objects_arns["<prefix>"]` for a permission with a prefix.
    ("bucket", "read"): [("s3_object_read_actions", "objects_arn")],
    ("bucket", "write"): [("s3_object_write_actions", "objects_arn")],
    # An HMAC key: sign and derive are one action (GenerateMac) spelled by two locals, so that a
    # statement says which declared access it grants.
    ("key", "sign"): [("kms_mac_sign_actions", "arn")],
    ("key", "derive"): [("kms_mac_derive_actions", "arn")],
    ("key", "verify"): [("kms_mac_verify_actions", "arn")],
    ("websocket_api", "post_to_connections"): [("execute_api_manage_connections_actions", "connections_arn")],
}
# What query_indexes on a table grants on each of its indexes (iam.TABLE_INDEX_QUERY), on the table
# module's `index_arns["<index>"]`; as a grant: ("table", "<table>/index/<index>", "query_indexes").
INDEX_ACCESS = "query_indexes"
INDEX_QUERY = ("dynamodb_index_query_actions", "index_arn")
# The same action sets the embedded deployer grants (pizza_ops.deploy.iam), so both sides agree.
EXPECTED_ACTIONS = {
    **{
        local: set(actions)
        for key, grants in ACCESS.items()
        for (local, _), (actions, _) in zip(grants, iam.GRANTS[key], strict=True)
    },
    INDEX_QUERY[0]: set(iam.TABLE_INDEX_QUERY),
}
# What an environment reference of each kind is in Terraform, as the deployer resolves it:
# (kind of the module, its output).
ENVIRONMENT_OUTPUTS = {
    "table": ("table", "name"),
    "queue": ("queue", "url"),
    "queue_arn": ("queue", "arn"),
    "topic": ("topic", "arn"),
    "bus": ("bus", "name"),
    "key": ("key", "arn"),
    "schedule_group": ("schedule_group", "name"),
    "schedule_role": ("schedule_group", "role_arn"),
    "function_alias": ("function", "alias_arn"),
    "bucket": ("bucket", "name"),
    "http_api": ("http_api", "url"),
    "websocket_api": ("websocket_api", "url"),
    "websocket_api_management": ("websocket_api", "management_url"),
}
_SID = re.compile(r"^[A-Za-z0-9]+$")

# A granted or declared permission, one per local: (kind, logical name, access, local).
_Grant = tuple[str, str, str, str]


def function_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    instances = module_instances(tf, "lambda_function")
    problems = presence_drift("function", set(system.functions), set(instances))
    for name in sorted(set(system.functions) & set(instances)):
        function, (_, args), subject = system.functions[name], instances[name], f"function {name!r}"
        for setting, declared in (
            ("service_name", function.service_name),
            ("handler", function.handler),
            ("timeout_seconds", function.timeout_seconds),
            ("memory_mb", function.memory_mb),
        ):
            problems += compare(subject, setting, declared, args.get(setting))
        package = function.package
        problems += compare(
            subject, "image_uri", f'${{lookup(var.service_images, "{package}", null)}}', args.get("image_uri")
        )
        problems += compare(subject, "zip_path", f"${{var.lambda_zip_dir}}/{package}.zip", args.get("zip_path"))
        problems += _durable_drift(subject, function, args.get("durable"))
        problems += _environment_drift(subject, function.environment, args.get("environment", {}), tf)
        problems += _permission_drift(
            subject, _expected_grants(function.permissions, system.tables), args.get("policy_statements", []), tf
        )
    return problems


def _environment_drift(
    subject: str, declared: dict[str, EnvironmentValue], in_terraform: dict[str, Any], tf: Terraform
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
        if isinstance(ref, LiteralValue):
            # A literal, or a variable whose default is the declared value (ORDER_WORKFLOW).
            problems += compare(subject, f"environment variable {key}", ref.value, value(tf, actual))
        else:
            ref_kind, ref_name = ref.target
            module_kind, output = ENVIRONMENT_OUTPUTS[ref_kind]
            expected: Target = (module_kind, ref_name, output)
            problems += compare(subject, f"environment variable {key}", expected, resolve(tf, actual) or actual)
    return problems


def _durable_drift(subject: str, function: Function, in_terraform: Any) -> list[str]:
    """A durable function's settings (timeout, retention, alias, alarm) on both sides, or on neither."""
    if function.durable is None or not isinstance(in_terraform, dict):
        if function.durable is None and in_terraform is None:
            return []
        where = "Terraform" if function.durable is None else "the declaration"
        return [f"{subject}: durable only in {where}"]
    declared = function.durable
    problems: list[str] = []
    for setting, expected in (
        ("execution_timeout_seconds", declared.execution_timeout_seconds),
        ("retention_days", declared.retention_days),
        ("alias", declared.alias),
        ("alarm_metric", declared.alarm_metric),
    ):
        problems += compare(subject, f"durable {setting}", expected, in_terraform.get(setting))
    return problems


def _expected_grants(declared: list[Permission], tables: dict[str, Table]) -> set[_Grant]:
    """What Terraform must grant for these permissions: each one's statements, and Query on the
    indexes of each table whose indexes are queried (as the deployer's iam.function_policy)."""
    expected: set[_Grant] = {
        (p.kind, _granted_on(p), p.access, local) for p in declared for local, _ in ACCESS[(p.kind, p.access)]
    }
    expected |= {
        ("table", f"{p.name}/index/{index}", INDEX_ACCESS, INDEX_QUERY[0])
        for p in declared
        if (p.kind, p.access) == ("table", INDEX_ACCESS)
        for index in tables[p.name].indexes
    }
    return expected


def _permission_drift(
    subject: str, expected: set[_Grant], statements: list[dict[str, Any]], tf: Terraform
) -> list[str]:
    granted: set[_Grant] = set()
    problems: list[str] = []
    by_local = {
        local: (kind, access, attribute) for (kind, access), grants in ACCESS.items() for local, attribute in grants
    }
    by_local[INDEX_QUERY[0]] = ("table", INDEX_ACCESS, INDEX_QUERY[1])
    for statement in statements:
        sid = statement.get("sid", "")
        if not _SID.match(str(sid)):
            problems.append(f"{subject}: statement sid {sid!r} is not alphanumeric")
        match = REFERENCE.match(str(statement.get("actions")))
        if not match or match["root"] != "local" or match["name"] not in by_local:
            problems.append(f"{subject}: statement {sid} grants actions that are no declared access level")
            continue
        kind, access, attribute = by_local[match["name"]]
        for resource in statement.get("resources", []):
            target = resolve(tf, resource)
            if target is None or target[0] != kind or target[2] != attribute:
                what = "ARN" if attribute == "arn" else attribute
                problems.append(f"{subject}: statement {sid} names {resource!r}, not the {what} of one {kind}")
            else:
                granted.add((kind, target[1], access, match["name"]))
    problems += [f"{subject}: declared permission {_describe(g)} is not granted" for g in sorted(expected - granted)]
    problems += [
        f"{subject}: Terraform grants {_describe(g)}, which is not declared" for g in sorted(granted - expected)
    ]
    return problems


def _granted_on(permission: Permission) -> str:
    """The resource a permission names, as Terraform's references resolve: a bucket's prefix included."""
    return f"{permission.name}/{permission.prefix}" if permission.prefix else permission.name


def _describe(grant: _Grant) -> str:
    """(kind, name, access), plus which of its statements when the access needs more than one."""
    kind, name, access, local = grant
    several = len(ACCESS.get((kind, access), [])) > 1
    return f"{(kind, name, access)}" + (f" ({local} statement)" if several else "")


def access_action_drift(tf: Terraform) -> list[str]:
    problems: list[str] = []
    for local, expected in EXPECTED_ACTIONS.items():
        actions = tf.locals.get(local)
        if not isinstance(actions, list) or set(actions) != expected or any("*" in a for a in actions):
            problems.append(f"local {local} is {actions!r}; expected exactly {sorted(expected)}")
    return problems
