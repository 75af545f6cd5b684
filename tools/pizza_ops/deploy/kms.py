"""KMS keys, found by their alias: a redeploy reuses the key, so what it encrypted stays readable."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError


def ensure_key(kms: Any, alias: str, description: str) -> str:
    """The ARN of the symmetric key behind ``alias``, created (with the alias) if there is none."""
    try:
        metadata = kms.describe_key(KeyId=alias)["KeyMetadata"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "NotFoundException":
            raise
        metadata = kms.create_key(Description=description, KeyUsage="ENCRYPT_DECRYPT", KeySpec="SYMMETRIC_DEFAULT")[
            "KeyMetadata"
        ]
        kms.create_alias(AliasName=alias, TargetKeyId=metadata["KeyId"])
    if metadata.get("Description") != description:
        kms.update_key_description(KeyId=metadata["KeyId"], Description=description)
    kms.enable_key_rotation(KeyId=metadata["KeyId"])
    return str(metadata["Arn"])
