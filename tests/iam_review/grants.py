"""What each deployed function's role allows, read from IAM (whichever deployed it: the embedded
deployer or Terraform), and IAM's matching of an action and a resource against it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import unquote

from pizza_ops.system import SystemDeclaration


@dataclass(frozen=True)
class Grant:
    """One action allowed on one resource pattern (an ARN, possibly with * and ?)."""

    action: str
    resource: str

    def allows(self, action: str, resource: str | None) -> bool:
        """IAM's match: actions case-insensitively, resources case-sensitively, both with wildcards.
        A call whose resource is unknown is allowed by any grant of its action."""
        if not fnmatchcase(action.lower(), self.action.lower()):
            return False
        return resource is None or fnmatchcase(resource, self.resource)


@dataclass(frozen=True)
class DeployedRole:
    """A deployed function's role: ``prefix`` is the stack's name prefix, ``function`` the declared name."""

    prefix: str
    function: str
    role_name: str
    grants: tuple[Grant, ...]


def grants_of(policy: dict[str, Any]) -> list[Grant]:
    """Every (action, resource) an identity policy allows; Deny statements and conditions are not used here."""
    grants: list[Grant] = []
    for statement in _as_list(policy.get("Statement", [])):
        if statement.get("Effect") != "Allow" or "Condition" in statement or "NotAction" in statement:
            raise ValueError(f"a statement this review cannot read: {statement}")
        for action in _as_list(statement["Action"]):
            grants.extend(Grant(action, resource) for resource in _as_list(statement["Resource"]))
    return grants


def deployed_roles(lambda_client: Any, iam_client: Any, system: SystemDeclaration) -> list[DeployedRole]:
    """The roles of every deployment of the declared functions in the account: the session's stack
    and any other a test deployed beside it (under another name prefix)."""
    roles = []
    for page in lambda_client.get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            declared = _declared_function(function["FunctionName"], system)
            if declared is None:
                continue
            prefix, name = declared
            role_name = function["Role"].rsplit("/", 1)[-1]
            grants = tuple(grant for policy in _inline_policies(iam_client, role_name) for grant in grants_of(policy))
            roles.append(DeployedRole(prefix, name, role_name, grants))
    return roles


def _declared_function(physical: str, system: SystemDeclaration) -> tuple[str, str] | None:
    """(prefix, declared name) of ``<prefix>-<declared name>``, the longest declared name that fits."""
    names = sorted((n for n in system.functions if physical.endswith(f"-{n}")), key=len, reverse=True)
    return (physical[: -len(names[0]) - 1], names[0]) if names else None


def _inline_policies(iam_client: Any, role_name: str) -> list[dict[str, Any]]:
    policies = []
    for page in iam_client.get_paginator("list_role_policies").paginate(RoleName=role_name):
        for policy_name in page["PolicyNames"]:
            document = iam_client.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
            # boto3 decodes it on AWS; some emulators hand back the URL-encoded JSON text.
            policies.append(document if isinstance(document, dict) else json.loads(unquote(document)))
    return policies


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
