"""Reading Terraform: the blocks of a directory, and what a root module's references point at.

Each `module` block in the root is one building block (its `source` says which) whose `name`
argument is a logical name from the declaration; a reference such as `module.orders_table.arn` is
resolved through that module's arguments to ("table", "orders", "arn").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions

from pizza_ops.repository import Repository

_HCL = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)

# ${module.X}, ${module.X.attribute}, ${module.X.attribute["key"]}, and the same for var and local.
REFERENCE = re.compile(
    r'^\$\{(?P<root>module|var|local)\.(?P<name>\w+)(?:\.(?P<attribute>\w+))?(?:\["(?P<key>[^"]+)"\])?\}$'
)

# A resolved reference: (declared kind, declared logical name, attribute).
Target = tuple[str, str, str]

# Building block -> the declared kind its `name` is a logical name of.
NAMED_KINDS = {
    "dynamodb_table": "table",
    "queue_with_dlq": "queue",
    "sqs_queue": "queue",
    "lambda_function": "function",
    "kms_key": "key",
    "sns_topic": "topic",
    "event_bus": "bus",
    "event_rule": "rule",
    "schedule_group": "schedule_group",
    "s3_bucket": "bucket",
    "http_api": "http_api",
    "websocket_api": "websocket_api",
}


@dataclass(frozen=True)
class Terraform:
    """The blocks of one Terraform directory, merged across its files."""

    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    data: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)


def _is_override(path: Path) -> bool:
    return path.name == "override.tf" or path.name.endswith("_override.tf")


def parse_terraform(directory: Path) -> Terraform:
    """The directory's configuration, override files merged last into what they override, as
    Terraform merges them (an argument replaces the original's; a nested block, dynamic or not,
    replaces the original's blocks of its type)."""
    parsed = Terraform()
    paths = sorted(directory.glob("*.tf"))
    for path in [p for p in paths if not _is_override(p)] + [p for p in paths if _is_override(p)]:
        document = hcl2.loads(path.read_text(encoding="utf-8"), serialization_options=_HCL)
        if _is_override(path):
            _merge_overrides(parsed, document)
            continue
        for block in document.get("module", []):
            parsed.modules.update(block)
        for block in document.get("variable", []):
            parsed.variables.update(block)
        for block in document.get("locals", []):
            parsed.locals.update(block)
        for block in document.get("provider", []):
            parsed.providers.update(block)
        for block in document.get("output", []):
            parsed.outputs.update(block)
        for kind, target in (("resource", parsed.resources), ("data", parsed.data)):
            for block in document.get(kind, []):
                for type_, named in block.items():
                    target.update({(type_, name): body for name, body in named.items()})
    return parsed


def _merge_overrides(parsed: Terraform, document: dict[str, Any]) -> None:
    for kind, target in (("resource", parsed.resources), ("data", parsed.data)):
        for block in document.get(kind, []):
            for type_, named in block.items():
                for name, body in named.items():
                    merged = dict(target.get((type_, name), {}))
                    for key, setting in body.items():
                        if key == "dynamic":
                            overridden = {label for entry in setting for label in entry}
                            kept = [e for e in merged.get("dynamic", []) if not overridden & set(e)]
                            merged["dynamic"] = kept + list(setting)
                        else:
                            merged[key] = setting
                    target[(type_, name)] = merged


def terraform_dir(repository: Repository | None = None) -> Path:
    """infra/terraform of ``repository``; by default, of the repository around the working directory."""
    return (repository or Repository.find()).terraform


def modules_dir(repository: Repository | None = None) -> Path:
    return terraform_dir(repository) / "modules"


def root_module(repository: Repository | None = None) -> Terraform:
    return _parsed(terraform_dir(repository))


def building_block(name: str, repository: Repository | None = None) -> Terraform:
    return _parsed(modules_dir(repository) / name)


@cache
def _parsed(directory: Path) -> Terraform:
    return parse_terraform(directory)


def snake(logical: str) -> str:
    return logical.replace("-", "_")


def block_kind(arguments: dict[str, Any]) -> str:
    return str(arguments.get("source", "")).removeprefix("./modules/")


def module_instances(tf: Terraform, kind: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Module instances of one building block, by the logical name they pass as `name`."""
    return {str(args.get("name")): (label, args) for label, args in tf.modules.items() if block_kind(args) == kind}


def resolve(tf: Terraform, expression: Any) -> Target | None:
    """`${module.X.out}` as (declared kind, declared logical name, attribute), else None.

    A DLQ output (`dlq_arn`) resolves to the DLQ. A bucket's objects under one prefix
    (`prefix_objects_arns["shared/"]`) resolve to ("bucket", "<name>/shared/", "objects_arn"), and
    a table's index (`index_arns["by-customer"]`) to ("table", "<name>/index/by-customer", "index_arn").
    """
    match = REFERENCE.match(expression) if isinstance(expression, str) else None
    if not match or match["root"] != "module" or match["name"] not in tf.modules or not match["attribute"]:
        return None
    args = tf.modules[match["name"]]
    attribute, kind, key = str(match["attribute"]), block_kind(args), match["key"]
    if kind == "s3_bucket" and attribute == "prefix_objects_arns" and key:
        return ("bucket", f"{args.get('name')}/{key}", "objects_arn")
    if kind == "dynamodb_table" and attribute == "index_arns" and key:
        return ("table", f"{args.get('name')}/index/{key}", "index_arn")
    if key or kind not in NAMED_KINDS:
        return None
    if kind == "queue_with_dlq" and attribute.startswith("dlq_"):
        return ("queue", str(args.get("dlq_name")), attribute.removeprefix("dlq_"))
    return (NAMED_KINDS[kind], str(args.get("name")), attribute)


def value(tf: Terraform, expression: Any) -> Any:
    """A literal as is; `${var.X}` as the variable's default."""
    match = REFERENCE.match(expression) if isinstance(expression, str) else None
    if match and match["root"] == "var":
        return tf.variables.get(match["name"], {}).get("default")
    return expression


def presence_drift(what: str, declared: set[str], in_terraform: set[str]) -> list[str]:
    return [f"{what} {n!r} is declared but has no Terraform module" for n in sorted(declared - in_terraform)] + [
        f"{what} {n!r} has a Terraform module but is not declared" for n in sorted(in_terraform - declared)
    ]


def compare(subject: str, setting: str, declared: Any, in_terraform: Any) -> list[str]:
    if declared == in_terraform:
        return []
    return [f"{subject}: {setting} is {in_terraform!r} in Terraform but {declared!r} in the declaration"]
