"""The AWS calls a run's functions made, read from their SDK client spans, as IAM authorises them:
an action (IAM prefix and action name, which is not always the API's operation name) on a resource's
ARN, or on no known resource where the span does not name one."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from integration_patterns import aws_call_attributes as attrs
from pizza_ops.telemetry import StoredSpan

# botocore's service id (the span's rpc.service) -> the IAM service prefix, which is the service's
# signing name in botocore's model (tests/unit/iam_review checks this table against botocore's).
IAM_PREFIXES = {
    "ApiGatewayManagementApi": "execute-api",
    "DynamoDB": "dynamodb",
    "EventBridge": "events",
    "KMS": "kms",
    "Lambda": "lambda",
    "S3": "s3",
    "Scheduler": "scheduler",
    "SNS": "sns",
    "SQS": "sqs",
}
# Operations authorised by an action of another name (the service authorisation reference's table).
ACTION_OF_OPERATION = {
    ("SQS", "SendMessageBatch"): "SendMessage",
    ("SQS", "DeleteMessageBatch"): "DeleteMessage",
    ("SQS", "ChangeMessageVisibilityBatch"): "ChangeMessageVisibility",
    ("SNS", "PublishBatch"): "Publish",
    ("Lambda", "Invoke"): "InvokeFunction",
    ("S3", "HeadObject"): "GetObject",
    ("ApiGatewayManagementApi", "PostToConnection"): "ManageConnections",
    ("ApiGatewayManagementApi", "GetConnection"): "ManageConnections",
    ("ApiGatewayManagementApi", "DeleteConnection"): "ManageConnections",
}
# A transaction's parts and a PartiQL batch's statements are each authorised as their own action;
# there is no TransactWriteItems or BatchExecuteStatement action.
TRANSACT_PART_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}
STATEMENT_ACTIONS = {
    "SELECT": "PartiQLSelect",
    "INSERT": "PartiQLInsert",
    "UPDATE": "PartiQLUpdate",
    "DELETE": "PartiQLDelete",
}
# Refusals: the call was made, and IAM (MiniStack enforces it) said no.
REFUSAL_CODES = {"AccessDenied", "AccessDeniedException", "AuthorizationError", "AuthorizationErrorException"}
_ERROR_CODE = re.compile(r"An error occurred \((?P<code>[^)]+)\)")


class UnmappedCall(Exception):
    """A span of an AWS service or operation this review cannot translate into IAM actions."""


@dataclass(frozen=True)
class AwsCall:
    """One IAM action one function's code exercised: on ``resource`` (an ARN), or None if unnamed."""

    service_name: str  # the span's service: the function's declared service_name
    action: str  # "dynamodb:PutItem"
    resource: str | None
    refused: bool = False


def calls_of(span: StoredSpan, account: str) -> Iterator[AwsCall]:
    """The IAM actions (with their resources) of one AWS SDK client span."""
    service, operation = str(span.attributes["rpc.service"]), str(span.attributes["rpc.method"])
    prefix = IAM_PREFIXES.get(service)
    if prefix is None:
        raise UnmappedCall(f"{span.service_name} called {service} {operation}: no IAM prefix known for {service}")
    refused = _error_code(span) in REFUSAL_CODES
    region = str(span.attributes.get("cloud.region", ""))
    for action, resource in _actions(service, operation, span, region, account):
        # An action of another service (iam:PassRole) comes with its prefix.
        qualified = action if ":" in action else f"{prefix}:{action}"
        yield AwsCall(span.service_name, qualified, resource, refused)


def _actions(
    service: str, operation: str, span: StoredSpan, region: str, account: str
) -> Iterable[tuple[str, str | None]]:
    a = span.attributes
    if service == "DynamoDB":
        return _dynamodb_actions(operation, span, region, account)
    action = ACTION_OF_OPERATION.get((service, operation), operation)
    if service == "SQS" and "aws.queue_url" in a:
        return [(action, queue_arn(str(a["aws.queue_url"]), region))]
    if service == "SNS" and "aws.sns.topic.arn" in a:
        return [(action, str(a["aws.sns.topic.arn"]))]
    if service == "S3" and attrs.S3_BUCKET in a:
        key = f"/{a[attrs.S3_KEY]}" if attrs.S3_KEY in a else ""
        return [(action, f"arn:aws:s3:::{a['aws.s3.bucket']}{key}")]
    if service == "KMS" and attrs.KMS_KEY_ID in a:
        return [(action, _key_arn(str(a[attrs.KMS_KEY_ID]), region, account))]
    if service == "EventBridge" and attrs.EVENTS_BUS_NAMES in a:
        return [(action, _bus_arn(str(bus), region, account)) for bus in _list(a[attrs.EVENTS_BUS_NAMES])]
    if service == "Scheduler" and attrs.SCHEDULER_GROUP_NAME in a:
        group, name = a[attrs.SCHEDULER_GROUP_NAME], a.get(attrs.SCHEDULER_SCHEDULE_NAME, "")
        schedule = f"arn:aws:scheduler:{region}:{account}:schedule/{group}/{name}"
        calls: list[tuple[str, str | None]] = [(action, schedule)]
        if operation in ("CreateSchedule", "UpdateSchedule") and attrs.SCHEDULER_TARGET_ROLE_ARN in a:
            # Handing the schedule a role is authorised as iam:PassRole on that role, by the caller.
            calls.append(("iam:PassRole", str(a[attrs.SCHEDULER_TARGET_ROLE_ARN])))
        return calls
    if service == "Lambda" and attrs.LAMBDA_DURABLE_EXECUTION_ARN in a:
        return [(action, str(a[attrs.LAMBDA_DURABLE_EXECUTION_ARN]))]
    if service == "Lambda" and attrs.LAMBDA_FUNCTION_NAME in a:
        return [(action, _function_arn(str(a[attrs.LAMBDA_FUNCTION_NAME]), region, account))]
    # The span does not say (a callback's id, a WebSocket connection's API): judged on the action.
    return [(action, None)]


def _dynamodb_actions(operation: str, span: StoredSpan, region: str, account: str) -> list[tuple[str, str | None]]:
    a = span.attributes
    if attrs.DYNAMODB_TRANSACT_ITEMS in a:
        parts = [str(part).split(" ", 1) for part in _list(a[attrs.DYNAMODB_TRANSACT_ITEMS])]
        return [(TRANSACT_PART_ACTIONS[kind], table_arn(table, region, account)) for kind, table in parts]
    if attrs.DYNAMODB_STATEMENTS in a:
        statements = [str(s).split(" ", 1) for s in _list(a[attrs.DYNAMODB_STATEMENTS])]
        if any(len(s) != 2 or s[0] not in STATEMENT_ACTIONS for s in statements):
            raise UnmappedCall(f"{span.service_name} called DynamoDB {operation} with a statement not understood")
        return [(STATEMENT_ACTIONS[verb], table_arn(table, region, account)) for verb, table in statements]
    if operation in ("TransactWriteItems", "TransactGetItems", "BatchExecuteStatement", "ExecuteStatement"):
        raise UnmappedCall(f"{span.service_name} called DynamoDB {operation} but its span does not name its parts")
    tables = [str(t) for t in _list(a.get("aws.dynamodb.table_names", []))]
    if not tables:
        return [(operation, None)]
    index = a.get("aws.dynamodb.index_name")
    suffix = f"/index/{index}" if index else ""
    return [(operation, table_arn(table, region, account) + suffix) for table in tables]


def _error_code(span: StoredSpan) -> str | None:
    match = _ERROR_CODE.search(span.status_message) if span.status_code == "ERROR" else None
    return match["code"] if match else None


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else [value]


def table_arn(table: str, region: str, account: str) -> str:
    return f"arn:aws:dynamodb:{region}:{account}:table/{table}"


def queue_arn(queue_url: str, region: str) -> str:
    """http(s)://host/<account>/<name> -> arn:aws:sqs:<region>:<account>:<name>."""
    account, name = queue_url.rstrip("/").split("/")[-2:]
    return f"arn:aws:sqs:{region}:{account}:{name}"


def _key_arn(key_id: str, region: str, account: str) -> str:
    return key_id if key_id.startswith("arn:") else f"arn:aws:kms:{region}:{account}:key/{key_id}"


def _bus_arn(bus: str, region: str, account: str) -> str:
    return bus if bus.startswith("arn:") else f"arn:aws:events:{region}:{account}:event-bus/{bus}"


def _function_arn(name: str, region: str, account: str) -> str:
    return name if name.startswith("arn:") else f"arn:aws:lambda:{region}:{account}:function:{name}"
