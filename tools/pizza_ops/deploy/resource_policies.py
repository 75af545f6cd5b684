"""The policies resources carry themselves, derived from the functions' declared permissions: a KMS
key's policy (only the declared roles may use it, each for its own operations) and the claim-check
bucket's (no principal but a declared reader may get an object under a prefix, nor put one but a
declared writer). An identity policy alone is not enough for either: a key policy that delegates to
IAM lets any role an administrator grants use the key, and a bucket without a policy is readable by
any role granted s3:GetObject on it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pizza_ops.deploy import iam
from pizza_ops.system import SystemDeclaration

# What the account (its administrators, through IAM) may do with a key: manage it, never use it.
# Without this statement a key could become unmanageable; without its narrowing, any role an
# administrator grants kms:Decrypt could read what the key protects.
KEY_ADMINISTRATION = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
]
# The object actions a bucket permission's access names (iam.GRANTS' bucket entries).
OBJECT_ACTIONS = {"read": iam.OBJECT_READ, "write": iam.OBJECT_WRITE}

# A declared function -> its role's ARN.
RoleArnOf = Callable[[str], str]


def key_users(system: SystemDeclaration, key: str) -> list[tuple[str, str]]:
    """(function, access) of each declared use of ``key``, in declaration order."""
    return [
        (name, permission.access)
        for name, function in system.functions.items()
        for permission in function.permissions
        if permission.kind == "key" and permission.name == key
    ]


def key_policy(system: SystemDeclaration, key: str, account: str, role_arn: RoleArnOf) -> dict[str, Any]:
    """The account administers ``key``; each declared user's role may do exactly its operations."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountAdministersKey",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
            "Action": KEY_ADMINISTRATION,
            "Resource": "*",
        }
    ]
    for function, access in key_users(system, key):
        ((actions, _),) = iam.GRANTS[("key", access)]
        statements.append(
            {
                "Sid": statement_id(function, access),
                "Effect": "Allow",
                "Principal": {"AWS": role_arn(function)},
                "Action": actions,
                "Resource": "*",
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def object_access(system: SystemDeclaration, bucket: str) -> dict[tuple[str, str], list[str]]:
    """(prefix, action) -> the functions declared to do it on ``bucket``'s objects under that prefix."""
    access: dict[tuple[str, str], list[str]] = {}
    for name, function in system.functions.items():
        for permission in function.permissions:
            if permission.kind == "bucket" and permission.name == bucket:
                for action in OBJECT_ACTIONS[permission.access]:
                    access.setdefault((permission.prefix or "", action), []).append(name)
    return access


def bucket_policy(system: SystemDeclaration, bucket: str, physical: str, role_arn: RoleArnOf) -> dict[str, Any]:
    """Deny each object action under each declared prefix to every principal but the declared roles.

    A deny, so it holds whatever an identity policy grants; presigned URLs are authorised as their
    signer, so a URL signed by a declared reader still works.
    """
    statements = [
        {
            "Sid": statement_id(prefix.rstrip("/").replace("/", "-") or "all", action.split(":")[1]),
            "Effect": "Deny",
            "Principal": "*",
            "Action": action,
            "Resource": f"{iam.bucket_objects_arn(physical)}{prefix}*",
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": [role_arn(f) for f in functions]}},
        }
        for (prefix, action), functions in object_access(system, bucket).items()
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def statement_id(*words: str) -> str:
    """order-api, sign -> OrderApiSign: a Sid is alphanumeric."""
    return "".join(part[0].upper() + part[1:] for word in words for part in re.split(r"[^A-Za-z0-9]+", word) if part)
