"""Drift in buckets: each declared bucket's module, and the guarantees of the s3_bucket building block."""

from __future__ import annotations

from typing import Any

from pizza_ops.deploy.buckets import lifecycle_rules
from pizza_ops.system import Bucket, SystemDeclaration
from pizza_ops.terraform_drift.terraform import Terraform, compare, module_instances, presence_drift

# What the s3_bucket building block must hold, whatever a bucket's settings: (resource type, the
# attributes every bucket gets), compared with the block's own Terraform.
BUCKET_GUARANTEES: dict[str, dict[str, Any]] = {
    "aws_s3_bucket_public_access_block": {
        "block_public_acls": True,
        "ignore_public_acls": True,
        "block_public_policy": True,
        "restrict_public_buckets": True,
    },
}
BUCKET_NAME = (
    "${var.name_prefix}-${var.name}-${data.aws_caller_identity.current.account_id}-${data.aws_region.current.name}"
)


def bucket_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    """Each declared bucket has a module with its expiry and the prefixes its permissions name."""
    instances = module_instances(tf, "s3_bucket")
    problems = presence_drift("bucket", set(system.buckets), set(instances))
    for name in sorted(set(system.buckets) & set(instances)):
        _, args = instances[name]
        subject = f"bucket {name!r}"
        problems += compare(
            subject, "expire_after_days", system.buckets[name].expire_after_days, args.get("expire_after_days")
        )
        prefixes = sorted(
            {p.prefix for f in system.functions.values() for p in f.permissions if p.bucket == name and p.prefix}
        )
        problems += compare(subject, "object_prefixes", prefixes, sorted(args.get("object_prefixes") or []))
    return problems


def bucket_block_drift(block: Terraform) -> list[str]:
    """The s3_bucket building block keeps every bucket private, encrypted, expiring, and named as deployed."""
    subject = "building block s3_bucket"
    problems: list[str] = []
    for resource_type, attributes in BUCKET_GUARANTEES.items():
        body = block.resources.get((resource_type, "this"), {})
        for attribute, expected in attributes.items():
            problems += compare(subject, f"{resource_type}.{attribute}", expected, body.get(attribute))
    bucket = block.resources.get(("aws_s3_bucket", "this"), {})
    problems += compare(subject, "aws_s3_bucket.bucket", BUCKET_NAME, bucket.get("bucket"))
    for resource_type in BUCKET_SETTINGS:
        body = block.resources.get((resource_type, "this"), {})
        problems += compare(subject, f"{resource_type}.bucket", "${aws_s3_bucket.this.id}", body.get("bucket"))
    encryption = block.resources.get(("aws_s3_bucket_server_side_encryption_configuration", "this"), {})
    algorithm = _first(_first(_first(encryption.get("rule")).get("apply_server_side_encryption_by_default")))
    problems += compare(subject, "default encryption", "AES256", algorithm.get("sse_algorithm"))
    return problems + _lifecycle_drift(subject, block)


# The resources that configure the bucket, each of them the module's own bucket.
BUCKET_SETTINGS = (
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_lifecycle_configuration",
)


def _lifecycle_drift(subject: str, block: Terraform) -> list[str]:
    """One lifecycle rule, the embedded deployer's (pizza_ops.deploy.buckets), its days the module's variable."""
    rules = block.resources.get(("aws_s3_bucket_lifecycle_configuration", "this"), {}).get("rule") or []
    rules = rules if isinstance(rules, list) else [rules]
    problems = compare(subject, "number of lifecycle rules", 1, len(rules))
    [deployed] = lifecycle_rules(Bucket(expire_after_days=1))
    rule = _first(rules)
    for setting, expected, actual in (
        ("lifecycle rule id", deployed["ID"], rule.get("id")),
        ("lifecycle rule status", deployed["Status"], rule.get("status")),
        ("lifecycle filter prefix", deployed["Filter"]["Prefix"], _first(rule.get("filter")).get("prefix")),
        ("lifecycle expiration days", "${var.expire_after_days}", _first(rule.get("expiration")).get("days")),
        (
            "lifecycle abort_incomplete_multipart_upload days",
            deployed["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"],
            _first(rule.get("abort_incomplete_multipart_upload")).get("days_after_initiation"),
        ),
    ):
        problems += compare(subject, setting, expected, actual)
    return problems


def _first(value: Any) -> dict[str, Any]:
    """A nested block as python-hcl2 gives it (a list of one dict, or the dict), or {} when absent."""
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, dict) else {}
