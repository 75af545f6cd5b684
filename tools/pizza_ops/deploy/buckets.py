"""S3 buckets: private, encrypted at rest, and emptied of old objects by a lifecycle rule."""

from __future__ import annotations

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
