"""KMS keys, found by their alias: a redeploy reuses the key, so what it encrypted stays readable."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

# KeyUsage and KeySpec of each declared usage (infra/terraform's kms_key module maps them alike).
KEY_KINDS = {"encrypt": ("ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT"), "hmac": ("GENERATE_VERIFY_MAC", "HMAC_256")}


def ensure_key(kms: Any, alias: str, description: str, usage: str = "encrypt") -> str:
    """The ARN of the key behind ``alias``, created (with the alias) if there is none.

    A symmetric key is rotated yearly by KMS; an HMAC key is not (KMS rotates no HMAC key: to
    replace one, declare a new key and keep the old one verifiable while its MACs live).
    """
    key_usage, key_spec = KEY_KINDS[usage]
    try:
        metadata = kms.describe_key(KeyId=alias)["KeyMetadata"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "NotFoundException":
            raise
        metadata = kms.create_key(Description=description, KeyUsage=key_usage, KeySpec=key_spec)["KeyMetadata"]
        kms.create_alias(AliasName=alias, TargetKeyId=metadata["KeyId"])
    # Checked before anything is changed: a key's usage is fixed, so a redeploy cannot fix this one.
    if metadata.get("KeyUsage", key_usage) != key_usage:
        raise ValueError(
            f"{alias} is a key for {metadata['KeyUsage']}, declared for {key_usage}: a key's usage is fixed"
        )
    if metadata.get("Description") != description:
        kms.update_key_description(KeyId=metadata["KeyId"], Description=description)
    if usage == "encrypt":
        kms.enable_key_rotation(KeyId=metadata["KeyId"])
    return str(metadata["Arn"])
