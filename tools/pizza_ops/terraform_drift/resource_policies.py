"""Drift in the policies resources carry: each KMS key's users and the claim-check bucket's object
access in Terraform are exactly the declared ones (pizza_ops.deploy.resource_policies derives the
embedded deployer's from the same declaration)."""

from __future__ import annotations

from typing import Any

from pizza_ops.deploy.resource_policies import KEY_ADMINISTRATION, key_users, object_access, statement_id
from pizza_ops.system import SystemDeclaration
from pizza_ops.terraform_drift.functions import ACCESS
from pizza_ops.terraform_drift.terraform import REFERENCE, Terraform, compare, module_instances, resolve

# The permissions.tf local spelling each key access level's actions.
_KEY_ACCESS_OF_LOCAL = {grants[0][0]: access for (kind, access), grants in ACCESS.items() if kind == "key"}


def key_policy_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    """Each key module's `users`: the declared users' roles, each with its access level's local."""
    problems: list[str] = []
    for name, (_, args) in sorted(module_instances(tf, "kms_key").items()):
        if name not in system.kms_keys:
            continue
        subject = f"KMS key {name!r}"
        granted: set[tuple[str, str]] = set()
        for user in args.get("users") or []:
            target = resolve(tf, user.get("role_arn"))
            match = REFERENCE.match(str(user.get("actions")))
            access = _KEY_ACCESS_OF_LOCAL.get(match["name"]) if match and match["root"] == "local" else None
            if target is None or target[0] != "function" or target[2] != "role_arn" or access is None:
                problems.append(f"{subject}: user {user.get('sid')} is not a function's role with a key access level")
                continue
            granted.add((target[1], access))
            problems += compare(
                subject, f"sid of {target[1]}'s {access}", statement_id(target[1], access), user.get("sid")
            )
        declared = set(key_users(system, name))
        problems += [f"{subject}: declared user {u} is not in its key policy" for u in sorted(declared - granted)]
        problems += [
            f"{subject}: key policy lets {u} use it, which is not declared" for u in sorted(granted - declared)
        ]
    return problems


def bucket_policy_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    """Each bucket module's `object_access`: per (prefix, action), exactly the declared functions' roles."""
    problems: list[str] = []
    for name, (_, args) in sorted(module_instances(tf, "s3_bucket").items()):
        if name not in system.buckets:
            continue
        subject = f"bucket {name!r}"
        in_terraform: dict[tuple[str, str], set[str]] = {}
        for access in args.get("object_access") or []:
            key = (str(access.get("prefix")), str(access.get("action")))
            problems += compare(
                subject,
                f"sid of {key}",
                statement_id(key[0].rstrip("/") or "all", key[1].split(":")[-1]),
                access.get("sid"),
            )
            roles = in_terraform.setdefault(key, set())
            for role in access.get("role_arns") or []:
                target = resolve(tf, role)
                if target is None or target[0] != "function" or target[2] != "role_arn":
                    problems.append(f"{subject}: {key} names {role!r}, not a function's role_arn")
                else:
                    roles.add(target[1])
        declared = {key: set(functions) for key, functions in object_access(system, name).items()}
        for key in sorted(set(declared) | set(in_terraform)):
            problems += compare(
                subject, f"roles allowed {key}", sorted(declared.get(key, [])), sorted(in_terraform.get(key, []))
            )
    return problems


def key_block_drift(block: Terraform) -> list[str]:
    """The kms_key building block lets the account administer a key, never use it (the deployer's list)."""
    actions: Any = block.locals.get("administration_actions")
    return compare("building block kms_key", "administration_actions", KEY_ADMINISTRATION, actions)
