"""EventBridge Scheduler groups, each with the one role its schedules run as."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from pizza_ops.deploy import iam


@dataclass(frozen=True)
class DeployedScheduleGroup:
    name: str
    arn: str
    role_arn: str


def ensure_schedule_group(
    scheduler: Any, iam_client: Any, name: str, role_name: str, target_queue_arn: str
) -> DeployedScheduleGroup:
    """Create the group and its role (trusted by scheduler.amazonaws.com, allowed to send to the target only)."""
    try:
        arn = scheduler.create_schedule_group(Name=name)["ScheduleGroupArn"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConflictException":
            raise
        arn = scheduler.get_schedule_group(Name=name)["Arn"]
    try:
        role_arn = iam_client.create_role(
            RoleName=role_name, AssumeRolePolicyDocument=json.dumps(iam.SCHEDULER_TRUST_POLICY)
        )["Role"]["Arn"]
    except ClientError as error:
        if error.response["Error"]["Code"] != "EntityAlreadyExists":
            raise
        role_arn = iam_client.get_role(RoleName=role_name)["Role"]["Arn"]
    iam_client.put_role_policy(
        RoleName=role_name,
        PolicyName="send-to-target-queue",
        PolicyDocument=json.dumps(iam.scheduler_role_policy(target_queue_arn)),
    )
    return DeployedScheduleGroup(name=name, arn=str(arn), role_arn=str(role_arn))


def ministack_schedule_grant(policy: dict[str, Any]) -> dict[str, Any]:
    """``policy`` with each schedule grant also naming the ARN MiniStack checks it against.

    MiniStack (1.5.33) authorizes every schedule call against schedule/default/<name>, whatever the
    group, so a grant on schedule/<group>/* alone is refused there. Emulator deployments only: on
    AWS the group-scoped ARN is exact.
    """
    statements = []
    for statement in policy["Statement"]:
        resource = statement["Resource"]
        if statement["Action"] == iam.SCHEDULE_CREATE and isinstance(resource, str):
            default_group = re.sub(r":schedule/[^/]+/\*$", ":schedule/default/*", resource)
            statement = {**statement, "Resource": [resource, default_group]}
        statements.append(statement)
    return {**policy, "Statement": statements}
