"""S3 buckets: private, encrypted at rest, and emptied of old objects by a lifecycle rule."""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import ClientError

from pizza_ops.system import Bucket


def ensure_bucket(s3: Any, name: str, region: str, bucket: Bucket) -> None:
    """Create ``name`` if it is not there, then (re)apply its access block, encryption and lifecycle."""
    request: dict[str, Any] = {"Bucket": name}
    if region != "us-east-1":  # us-east-1 refuses a location constraint naming itself
        request["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**request)
    except ClientError as error:
        if error.response["Error"]["Code"] != "BucketAlreadyOwnedByYou":
            raise
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={"Rules": lifecycle_rules(bucket)},
    )


def lifecycle_rules(bucket: Bucket) -> list[dict[str, Any]]:
    return [
        {
            "ID": "expire-objects",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "Expiration": {"Days": bucket.expire_after_days},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        }
    ]


def ministack_bucket_policy(policy: dict[str, Any]) -> dict[str, Any]:
    """``policy`` with each role its conditions name also named as the role's sessions.

    MiniStack (1.5.33) gives aws:PrincipalArn the caller's session ARN
    (arn:aws:sts::<account>:assumed-role/<role>/<session>) where AWS gives the role's ARN, so a deny
    "unless the principal is this role" denied the role too. Emulator deployments only: on AWS the
    role's ARN is exact.
    """
    statements = []
    for statement in policy["Statement"]:
        roles = statement.get("Condition", {}).get("ArnNotEquals", {}).get("aws:PrincipalArn")
        if roles:
            sessions = [
                re.sub(r"^arn:aws:iam::(\d+):role/(.+)$", r"arn:aws:sts::\1:assumed-role/\2/*", r) for r in roles
            ]
            statement = {**statement, "Condition": {"ArnNotLike": {"aws:PrincipalArn": [*roles, *sessions]}}}
        statements.append(statement)
    return {**policy, "Statement": statements}
