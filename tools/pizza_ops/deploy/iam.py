"""Least-privilege IAM policies, derived from the declaration's permissions and triggers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pizza_ops.system import SystemDeclaration

TABLE_READ = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]
TABLE_WRITE = [
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
]  # A transaction is authorised through the actions of its parts; there is no TransactWriteItems action.
QUEUE_SEND = ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
QUEUE_CONSUME = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]


def function_policy(
    system: SystemDeclaration,
    function_name: str,
    table_arn: Callable[[str], str],
    queue_arn: Callable[[str], str],
) -> dict[str, Any]:
    """The inline policy for one function: exactly its declared access, on named resources only."""
    statements: list[dict[str, Any]] = []
    for permission in system.functions[function_name].permissions:
        if permission.table:
            actions = TABLE_READ + (TABLE_WRITE if permission.access == "read_write" else [])
            statements.append(_allow(actions, table_arn(permission.table)))
        if permission.queue:
            statements.append(_allow(QUEUE_SEND, queue_arn(permission.queue)))
    statements.extend(
        _allow(QUEUE_CONSUME, queue_arn(trigger.queue))
        for trigger in system.triggers
        if trigger.function == function_name
    )
    return {"Version": "2012-10-17", "Statement": statements}


def _allow(actions: list[str], resource: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


LAMBDA_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
