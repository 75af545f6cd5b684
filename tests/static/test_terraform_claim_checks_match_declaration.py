"""Drift in the claim-check bucket's Terraform: its module, who may read or write which objects, the
settings naming it, and the guarantees of the building block (private, encrypted, expiring)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from drift_support import (
    assert_reported_when_declaration_changes,
    assert_reported_when_terraform_changes,
    with_module_changed,
    without_module,
)

from pizza_ops.system import SystemDeclaration, load_system
from pizza_ops.terraform_drift import Terraform, bucket_block_drift, building_block, root_module, terraform_drift

DELIVERY = "delivery_processor_function"
LOYALTY = "loyalty_processor_function"
KITCHEN = "kitchen_processor_function"


def _with_bucket_expiry(system: SystemDeclaration, days: int) -> SystemDeclaration:
    bucket = system.buckets["claim-checks"].model_copy(update={"expire_after_days": days})
    return system.model_copy(update={"buckets": {"claim-checks": bucket}})


def _statements_without(tf: Terraform, label: str, sid: str) -> Terraform:
    statements = [s for s in tf.modules[label]["policy_statements"] if s["sid"] != sid]
    return with_module_changed(tf, label, policy_statements=statements)


def _loyalty_reads_restricted(tf: Terraform) -> Terraform:
    extra = {
        "sid": "ClaimChecksDeliveryRead",
        "actions": "${local.s3_object_read_actions}",
        "resources": ['${module.claim_checks_bucket.prefix_objects_arns["restricted/delivery/"]}'],
    }
    return with_module_changed(tf, LOYALTY, policy_statements=[*tf.modules[LOYALTY]["policy_statements"], extra])


def _with_environment(tf: Terraform, label: str, **variables: str) -> Terraform:
    return with_module_changed(tf, label, environment={**tf.modules[label]["environment"], **variables})


def _with_statement(tf: Terraform, label: str, actions: str, output: str) -> Terraform:
    """One more statement: the actions of one permissions.tf local on one output of the bucket's module."""
    extra = {
        "sid": "Extra",
        "actions": f"${{local.{actions}}}",
        "resources": [f"${{module.claim_checks_bucket.{output}}}"],
    }
    return with_module_changed(tf, label, policy_statements=[*tf.modules[label]["policy_statements"], extra])


def _without_environment(tf: Terraform, label: str, key: str) -> Terraform:
    environment = {k: v for k, v in tf.modules[label]["environment"].items() if k != key}
    return with_module_changed(tf, label, environment=environment)


def test_the_claim_check_terraform_matches_the_declaration() -> None:
    # Given the real Terraform and declaration / When compared / Then nothing about buckets differs
    assert not [line for line in _drift(root_module()) if "bucket" in line or "ClaimChecks" in line]
    # And the building block keeps every bucket private, encrypted and expiring
    assert bucket_block_drift(building_block("s3_bucket")) == []


def _drift(tf: Terraform) -> list[str]:
    return terraform_drift(load_system(), tf)


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (lambda tf: without_module(tf, "claim_checks_bucket"), "bucket 'claim-checks' is declared but has no"),
        (
            lambda tf: with_module_changed(tf, "claim_checks_bucket", expire_after_days=400),
            "bucket 'claim-checks': expire_after_days is 400 in Terraform but 15",
        ),
        (
            lambda tf: with_module_changed(tf, "claim_checks_bucket", object_prefixes=["shared/"]),
            "bucket 'claim-checks': object_prefixes",
        ),
        (
            lambda tf: _statements_without(tf, DELIVERY, "ClaimChecksDeliveryRead"),
            "function 'delivery-processor': declared permission ('bucket', 'claim-checks/restricted/delivery/', "
            "'read') is not granted",
        ),
        (
            _loyalty_reads_restricted,
            "function 'loyalty-processor': Terraform grants ('bucket', 'claim-checks/restricted/delivery/', 'read'), "
            "which is not declared",
        ),
        (
            lambda tf: _statements_without(tf, "order_saga_function", "ClaimChecksDeliveryWrite"),
            "function 'order-saga': declared permission ('bucket', 'claim-checks/restricted/delivery/', 'write') "
            "is not granted",
        ),
        (
            lambda tf: _without_environment(tf, LOYALTY, "CLAIM_CHECK_BUCKET"),
            "function 'loyalty-processor': environment variable CLAIM_CHECK_BUCKET is declared but not set",
        ),
        (
            lambda tf: _with_environment(tf, KITCHEN, CLAIM_CHECK_BUCKET="${module.claim_checks_bucket.arn}"),
            "function 'kitchen-processor': environment variable CLAIM_CHECK_BUCKET is "
            "('bucket', 'claim-checks', 'arn') in Terraform but ('bucket', 'claim-checks', 'name')",
        ),
        (
            lambda tf: _with_statement(tf, KITCHEN, "s3_object_read_actions", "objects_arn"),
            "function 'kitchen-processor': Terraform grants ('bucket', 'claim-checks', 'read'), which is not declared",
        ),
        (
            lambda tf: _with_statement(tf, KITCHEN, "s3_object_write_actions", 'prefix_objects_arns["shared/"]'),
            "function 'kitchen-processor': Terraform grants ('bucket', 'claim-checks/shared/', 'write'), "
            "which is not declared",
        ),
        (
            lambda tf: _with_statement(tf, KITCHEN, "s3_object_read_actions", "arn"),
            "function 'kitchen-processor': statement Extra names '${module.claim_checks_bucket.arn}', "
            "not the objects_arn of one bucket",
        ),
    ],
)
def test_drift_is_reported_when_the_claim_check_terraform_changes(
    change: Callable[[Terraform], Terraform], reported: str
) -> None:
    assert_reported_when_terraform_changes(change, reported)


def test_drift_is_reported_when_the_declared_expiry_changes() -> None:
    assert_reported_when_declaration_changes(
        lambda s: _with_bucket_expiry(s, 30), "bucket 'claim-checks': expire_after_days is 15 in Terraform but 30"
    )


def _rule(**changes: Any) -> dict[str, Any]:
    """The building block's lifecycle rule with some settings changed."""
    [rule] = building_block("s3_bucket").resources[("aws_s3_bucket_lifecycle_configuration", "this")]["rule"]
    return {**rule, **changes}


def _block_with(resource_type: str, **changes: Any) -> Terraform:
    block = building_block("s3_bucket")
    body = {**block.resources[(resource_type, "this")], **changes}
    return replace(block, resources={**block.resources, (resource_type, "this"): body})


@pytest.mark.parametrize(
    ("block", "reported"),
    [
        (_block_with("aws_s3_bucket_public_access_block", restrict_public_buckets=False), "restrict_public_buckets"),
        (_block_with("aws_s3_bucket_public_access_block", block_public_acls=None), "block_public_acls"),
        (
            _block_with("aws_s3_bucket_lifecycle_configuration", rule=[{"status": "Disabled"}]),
            "lifecycle rule status",
        ),
        (
            _block_with(
                "aws_s3_bucket_lifecycle_configuration",
                rule=[{"status": "Enabled", "filter": [{"prefix": ""}], "expiration": [{"days": 400}]}],
            ),
            "lifecycle expiration days",
        ),
        (_block_with("aws_s3_bucket_lifecycle_configuration", rule=[_rule(id="keep")]), "lifecycle rule id"),
        (
            _block_with("aws_s3_bucket_lifecycle_configuration", rule=[_rule(abort_incomplete_multipart_upload=[])]),
            "lifecycle abort_incomplete_multipart_upload days",
        ),
        (
            _block_with("aws_s3_bucket_lifecycle_configuration", rule=[_rule(), _rule(id="another")]),
            "number of lifecycle rules",
        ),
        (_block_with("aws_s3_bucket_server_side_encryption_configuration", rule=[]), "default encryption"),
        (
            _block_with("aws_s3_bucket_server_side_encryption_configuration", bucket="other-bucket"),
            "aws_s3_bucket_server_side_encryption_configuration.bucket",
        ),
        (_block_with("aws_s3_bucket", bucket="${var.name}"), "aws_s3_bucket.bucket"),
    ],
    ids=[
        "a public bucket",
        "public ACLs",
        "a disabled lifecycle",
        "other expiry",
        "another rule id",
        "multipart uploads kept",
        "two lifecycle rules",
        "no encryption",
        "encryption of another bucket",
        "another name",
    ],
)
def test_the_building_block_s_guarantees_are_checked(block: Terraform, reported: str) -> None:
    # Given the building block with one guarantee broken / When checked / Then that guarantee is named
    assert any(reported in line for line in bucket_block_drift(block))


def _allowed_wildcards() -> list[str]:
    """The regexes the function building block's policy_statements validation lets a wildcard match."""
    [validation] = building_block("lambda_function").variables["policy_statements"]["validation"]
    return [json.loads(f'"{p}"') for p in re.findall(r'regex\("((?:[^"\\]|\\.)*)"', validation["condition"])]


def _admitted(arn: str) -> bool:
    return "*" not in arn or any(re.search(pattern, arn) for pattern in _allowed_wildcards())


BUCKET_ARN = "arn:aws:s3:::pizza-claim-checks-000000000000-us-east-1"


def test_a_function_may_name_the_objects_of_one_bucket_under_one_prefix_and_no_wider_wildcard() -> None:
    # Given the module's outputs the statements name: every object, and the objects under each prefix
    outputs = building_block("s3_bucket").outputs
    assert outputs["objects_arn"]["value"] == "${aws_s3_bucket.this.arn}/*"
    assert '=> "${aws_s3_bucket.this.arn}/${prefix}*"' in outputs["prefix_objects_arns"]["value"]

    # Then the function building block admits those patterns (as the deployer grants them)
    assert all(_admitted(f"{BUCKET_ARN}/{prefix}*") for prefix in ("", "shared/", "restricted/delivery/"))
    # And refuses any other wildcard on S3: every bucket, a bucket name, a wildcard inside the key
    for arn in ("arn:aws:s3:::*", f"{BUCKET_ARN}*", "arn:aws:s3:::pizza-*/*", f"{BUCKET_ARN}/*/delivery/*"):
        assert not _admitted(arn), arn
    # And still refuses wildcards elsewhere
    assert not _admitted("arn:aws:dynamodb:us-east-1:000000000000:table/*")
