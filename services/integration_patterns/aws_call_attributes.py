"""What an AWS SDK call touched, on its span, where OpenTelemetry's botocore instrumentation leaves
it out: the resource IAM authorises the call on (an S3 object, a KMS key, an event bus, a schedule
group, a durable execution) and the parts of a DynamoDB transaction or PartiQL batch, each authorised as its own
action. Names and identifiers only, never values: a review of the roles' permissions reads them from
the spans of a run (tests/iam_review).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from opentelemetry.trace import Span

# The names older releases of the instrumentation used (0.65b0 sets neither).
S3_BUCKET = "aws.s3.bucket"
# A claim's key: its prefix and event id, never personal data.
S3_KEY = "aws.s3.key"
KMS_KEY_ID = "aws.kms.key_id"
EVENTS_BUS_NAMES = "aws.events.bus_names"
SCHEDULER_GROUP_NAME = "aws.scheduler.group_name"
SCHEDULER_SCHEDULE_NAME = "aws.scheduler.schedule_name"
SCHEDULER_TARGET_ROLE_ARN = "aws.scheduler.target_role_arn"
# The function as the call names it, qualifier included (faas.invoked_name drops an alias).
LAMBDA_FUNCTION_NAME = "aws.lambda.function_name"
LAMBDA_DURABLE_EXECUTION_ARN = "aws.lambda.durable_execution_arn"
# "Put <table>", "Update <table>", "Delete <table>", "ConditionCheck <table>" or "Get <table>".
DYNAMODB_TRANSACT_ITEMS = "aws.dynamodb.transact_items"
# "<VERB> <table>" of each PartiQL statement: SELECT, INSERT, UPDATE or DELETE.
DYNAMODB_STATEMENTS = "aws.dynamodb.statements"

# The table a PartiQL statement names first: UPDATE "t" ..., DELETE FROM "t" ..., SELECT ... FROM "t".
_STATEMENT = re.compile(
    r'^\s*(?P<verb>SELECT|INSERT|UPDATE|DELETE)\b.*?(?:\bINTO\b|\bFROM\b|(?<=UPDATE))\s*"?(?P<table>[\w.-]+)"?',
    re.IGNORECASE | re.DOTALL,
)


def record_call_resources(span: Span, service_name: str, operation_name: str, api_params: Mapping[str, Any]) -> None:
    """A botocore request hook: set the attributes above that ``operation_name`` of ``service_name`` has."""
    recorder = _RECORDERS.get(service_name)
    if recorder is None or not span.is_recording():
        return
    for key, value in recorder(operation_name, api_params).items():
        span.set_attribute(key, value)


def _s3(operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    return {name: params[param] for name, param in ((S3_BUCKET, "Bucket"), (S3_KEY, "Key")) if param in params}


def _kms(operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    return {KMS_KEY_ID: params["KeyId"]} if "KeyId" in params else {}


def _events(operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    if operation != "PutEvents":
        return {}
    # An entry without a bus goes to the account's default bus.
    return {EVENTS_BUS_NAMES: sorted({entry.get("EventBusName", "default") for entry in params.get("Entries", [])})}


def _scheduler(operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    if "Name" not in params:
        return {}
    attributes = {SCHEDULER_GROUP_NAME: params.get("GroupName", "default"), SCHEDULER_SCHEDULE_NAME: params["Name"]}
    role = params.get("Target", {}).get("RoleArn")
    if role:
        attributes[SCHEDULER_TARGET_ROLE_ARN] = role
    return attributes


def _lambda(operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    if "DurableExecutionArn" in params:
        return {LAMBDA_DURABLE_EXECUTION_ARN: params["DurableExecutionArn"]}
    if "FunctionName" in params:
        qualifier = params.get("Qualifier")
        return {LAMBDA_FUNCTION_NAME: f"{params['FunctionName']}:{qualifier}" if qualifier else params["FunctionName"]}
    return {}


def _dynamodb(operation: str, params: Mapping[str, Any]) -> dict[str, Any]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        parts = [
            f"{kind} {part['TableName']}" for item in params.get("TransactItems", []) for kind, part in item.items()
        ]
        return {DYNAMODB_TRANSACT_ITEMS: parts}
    if operation == "BatchExecuteStatement":
        return {DYNAMODB_STATEMENTS: [_statement(s.get("Statement", "")) for s in params.get("Statements", [])]}
    if operation == "ExecuteStatement":
        return {DYNAMODB_STATEMENTS: [_statement(params.get("Statement", ""))]}
    return {}


def _statement(statement: str) -> str:
    match = _STATEMENT.match(statement)
    return f"{match['verb'].upper()} {match['table']}" if match else "UNKNOWN"


_RECORDERS: dict[str, Callable[[str, Mapping[str, Any]], dict[str, Any]]] = {
    "s3": _s3,
    "kms": _kms,
    "events": _events,
    "scheduler": _scheduler,
    "lambda": _lambda,
    "dynamodb": _dynamodb,
}
