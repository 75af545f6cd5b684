"""Key and bucket policies derived from the declaration: only the declared roles may use a key, each
for exactly its operations, and only a declared reader (writer) may get (put) a claim-check object."""

from __future__ import annotations

from typing import Any

import pytest

from pizza_ops.deploy.buckets import ministack_bucket_policy
from pizza_ops.deploy.resource_policies import (
    KEY_ADMINISTRATION,
    bucket_policy,
    key_policy,
    key_users,
    object_access,
    statement_id,
)
from pizza_ops.system import SystemDeclaration, load_system

SYSTEM = load_system()
ACCOUNT = "000000000000"
BUCKET = "pizza-claim-checks-000000000000-us-east-1"


def role_arn(function: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/pizza-{function}"


def _key_statements_by_role(system: SystemDeclaration, key: str) -> dict[str, set[str]]:
    policy = key_policy(system, key, ACCOUNT, role_arn)
    users = [s for s in policy["Statement"] if s["Sid"] != "AccountAdministersKey"]
    return {s["Principal"]["AWS"]: set(s["Action"]) for s in users}


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        # Only the order service's writers encrypt addresses; only delivery decrypts them.
        (
            "order-pii",
            {
                "order-acknowledgement-processor": {"kms:Encrypt"},
                "order-saga": {"kms:Encrypt"},
                "delivery-processor": {"kms:Decrypt"},
            },
        ),
        # The order API makes watch tokens; the connection handler only checks them.
        ("watch-tokens", {"order-api": {"kms:GenerateMac"}, "order-updates-connections": {"kms:VerifyMac"}}),
        ("webhook-secrets", {"order-api": {"kms:GenerateMac"}, "order-webhook-dispatcher": {"kms:GenerateMac"}}),
    ],
)
def test_each_declared_role_may_do_exactly_its_operations_with_a_key(key: str, expected: dict[str, set[str]]) -> None:
    # Given the declaration / When the key's policy is derived
    by_role = _key_statements_by_role(SYSTEM, key)

    # Then each declared user's role is named with exactly its operations, and no other role is
    assert by_role == {role_arn(function): actions for function, actions in expected.items()}


def test_a_role_not_declared_gets_nothing_of_a_key_and_the_account_only_administers_it() -> None:
    # Given the order-pii key's policy
    policy = key_policy(SYSTEM, "order-pii", ACCOUNT, role_arn)

    # Then the kitchen (not declared on it) is named nowhere
    principals = {str(s["Principal"]["AWS"]) for s in policy["Statement"]}
    assert role_arn("kitchen-processor") not in principals
    # And the account may manage the key but no usage (that would let any role IAM allows use it)
    (admin,) = [s for s in policy["Statement"] if s["Principal"]["AWS"] == f"arn:aws:iam::{ACCOUNT}:root"]
    assert admin["Action"] == KEY_ADMINISTRATION
    usage = {"kms:Encrypt", "kms:Decrypt", "kms:GenerateMac", "kms:VerifyMac", "kms:ReEncrypt*", "kms:GenerateDataKey*"}
    assert not any(_wildcard_covers(pattern, action) for pattern in admin["Action"] for action in usage)


def test_a_new_key_user_in_the_declaration_is_in_the_key_policy() -> None:
    # Given the kitchen declared to decrypt addresses too
    kitchen = SYSTEM.functions["kitchen-processor"]
    extra = kitchen.permissions[0].model_copy(update={"table": None, "key": "order-pii", "access": "decrypt"})
    changed = kitchen.model_copy(update={"permissions": [*kitchen.permissions, extra]})
    system = SYSTEM.model_copy(update={"functions": {**SYSTEM.functions, "kitchen-processor": changed}})

    # Then its role is in the key's policy with exactly kms:Decrypt
    assert ("kitchen-processor", "decrypt") in key_users(system, "order-pii")
    assert _key_statements_by_role(system, "order-pii")[role_arn("kitchen-processor")] == {"kms:Decrypt"}


def _deny_exceptions(policy: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    """(resource, action) -> the principals the deny spares."""
    return {
        (s["Resource"], s["Action"]): set(s["Condition"]["ArnNotEquals"]["aws:PrincipalArn"])
        for s in policy["Statement"]
        if s["Effect"] == "Deny" and s["Principal"] == "*"
    }


def test_the_claim_check_bucket_denies_restricted_reads_to_all_but_delivery() -> None:
    # Given the claim-check bucket's policy
    spared = _deny_exceptions(bucket_policy(SYSTEM, "claim-checks", BUCKET, role_arn))

    # Then only delivery may get delivery details, and only their writers put them
    restricted = f"arn:aws:s3:::{BUCKET}/restricted/delivery/*"
    assert spared[restricted, "s3:GetObject"] == {role_arn("delivery-processor")}
    assert spared[restricted, "s3:PutObject"] == {role_arn("order-acknowledgement-processor"), role_arn("order-saga")}


def test_the_claim_check_bucket_spares_exactly_the_declared_readers_and_writers_of_shared_claims() -> None:
    # Given the claim-check bucket's policy
    spared = _deny_exceptions(bucket_policy(SYSTEM, "claim-checks", BUCKET, role_arn))
    shared = f"arn:aws:s3:::{BUCKET}/shared/*"

    # Then the shared claims' readers are the functions declared to read them, and no other
    readers = {
        f
        for (prefix, action), fs in object_access(SYSTEM, "claim-checks").items()
        for f in fs
        if prefix == "shared/" and action == "s3:GetObject"
    }
    assert spared[shared, "s3:GetObject"] == {role_arn(f) for f in readers}
    assert role_arn("order-updates-broadcaster") not in spared[shared, "s3:GetObject"]
    assert "delivery-processor" in readers and "kitchen-processor" in readers
    # And only the three writers may put them
    assert spared[shared, "s3:PutObject"] == {
        role_arn(f) for f in ("order-api", "order-acknowledgement-processor", "order-saga")
    }
    # And nothing but these four statements is in it
    assert set(spared) == {(shared, "s3:GetObject"), (shared, "s3:PutObject")} | {
        (f"arn:aws:s3:::{BUCKET}/restricted/delivery/*", a) for a in ("s3:GetObject", "s3:PutObject")
    }


def test_on_ministack_the_spared_roles_are_named_as_their_sessions_too() -> None:
    # Given the bucket policy for an emulator deployment
    policy = ministack_bucket_policy(bucket_policy(SYSTEM, "claim-checks", BUCKET, role_arn))

    # Then each deny spares the role and its sessions (MiniStack's aws:PrincipalArn is the session's ARN)
    for statement in policy["Statement"]:
        spared = statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
        roles = [arn for arn in spared if ":role/" in arn]
        assert sorted(arn for arn in spared if ":assumed-role/" in arn) == sorted(
            arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/*" for arn in roles
        )


def test_statement_ids_are_alphanumeric() -> None:
    assert statement_id("order-api", "sign") == "OrderApiSign"
    assert statement_id("restricted-delivery", "GetObject") == "RestrictedDeliveryGetObject"


def _wildcard_covers(pattern: str, action: str) -> bool:
    from fnmatch import fnmatchcase

    return fnmatchcase(action.lower(), pattern.lower()) or fnmatchcase(pattern.lower(), action.lower())
