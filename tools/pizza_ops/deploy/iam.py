"""Least-privilege IAM policies, derived from the declaration's permissions and triggers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pizza_ops.system import Permission, SystemDeclaration

# A table's item operations, one action each: a role is granted the calls its function's code
# makes on the table, no others (tests/iam_review judges the grants against a whole suite's calls).
# A transaction or batch is authorised through the actions of its parts (there is no
# TransactWriteItems action); the same updates as PartiQL statements need PartiQLUpdate.
TABLE_ITEM_ACTIONS = {
    "get": ["dynamodb:GetItem"],
    "put": ["dynamodb:PutItem"],
    "update": ["dynamodb:UpdateItem"],
    "delete": ["dynamodb:DeleteItem"],
    "condition_check": ["dynamodb:ConditionCheckItem"],
    "partiql_update": ["dynamodb:PartiQLUpdate"],
}
# What Lambda needs of a function's role to read a table's stream for a stream trigger.
TABLE_STREAM_READ = [
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
]
# Send only: a function is given its queues' URLs, so it never looks one up or reads its attributes.
QUEUE_SEND = ["sqs:SendMessage"]
# What Lambda's event source mapping needs of the role to poll a trigger queue (as AWS's
# AWSLambdaSQSQueueExecutionRole): a failed record comes back when its visibility timeout ends,
# without ChangeMessageVisibility, which only a consumer that postpones messages itself calls.
QUEUE_CONSUME = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
QUEUE_POSTPONE = ["sqs:ChangeMessageVisibility"]
KEY_ENCRYPT = ["kms:Encrypt"]
KEY_DECRYPT = ["kms:Decrypt"]
TOPIC_PUBLISH = ["sns:Publish"]
BUS_PUBLISH = ["events:PutEvents"]
# Create only: a one-time schedule deletes itself once it has fired (ActionAfterCompletion=DELETE).
SCHEDULE_CREATE = ["scheduler:CreateSchedule"]
# Creating a schedule hands it the group's role; iam:PassRole on that one role is what allows it.
SCHEDULE_PASS_ROLE = ["iam:PassRole"]
# What a schedule group's role may do: deliver to the group's target queue, nothing else.
SCHEDULER_TARGET_SEND = ["sqs:SendMessage"]
FUNCTION_INVOKE = ["lambda:InvokeFunction"]
# What the durable execution SDK calls on the function's own executions.
DURABLE_RUN = ["lambda:CheckpointDurableExecution", "lambda:GetDurableExecutionState"]
OBJECT_READ = ["s3:GetObject"]
# Put only: presigning a URL to an object needs the right to get it, declared as a read.
OBJECT_WRITE = ["s3:PutObject"]
# {table: X, access: query_indexes}: querying each of X's indexes (an index is a resource of its own).
TABLE_INDEX_QUERY = ["dynamodb:Query"]
KEY_MAC_SIGN = ["kms:GenerateMac"]
KEY_MAC_VERIFY = ["kms:VerifyMac"]
# Posting to a WebSocket API's connections, through its management endpoint.
CONNECTIONS_POST = ["execute-api:ManageConnections"]
DURABLE_ANSWER = ["lambda:SendDurableExecutionCallbackSuccess", "lambda:SendDurableExecutionCallbackFailure"]

# (kind, logical name) -> ARN. Kinds: table, queue, key, topic, bus; for a table also
# "table_streams" (the ARN pattern of its streams), for a schedule group "schedules" (the ARN
# pattern of the group's schedules) and "schedule_role" (its role's ARN), and for a durable
# function "function_alias" (its alias's ARN) and "durable_executions" (its executions' ARN pattern),
# for a bucket "bucket_objects" (the ARN prefix of its objects), and for a WebSocket API
# "websocket_connections" (the ARN pattern of its stage's connections).
ArnOf = Callable[[str, str], str]

# Each declared (resource kind, access) as the statements it grants: actions on one ARN of the resource.
GRANTS: dict[tuple[str, str], list[tuple[list[str], str]]] = {
    **{("table", access): [(actions, "table")] for access, actions in TABLE_ITEM_ACTIONS.items()},
    # Granted on each of the table's indexes instead (function_policy).
    ("table", "query_indexes"): [],
    ("table", "read_stream"): [(TABLE_STREAM_READ, "table_streams")],
    ("queue", "send"): [(QUEUE_SEND, "queue")],
    ("queue", "postpone"): [(QUEUE_POSTPONE, "queue")],
    ("key", "encrypt"): [(KEY_ENCRYPT, "key")],
    ("key", "decrypt"): [(KEY_DECRYPT, "key")],
    ("topic", "publish"): [(TOPIC_PUBLISH, "topic")],
    ("bus", "publish"): [(BUS_PUBLISH, "bus")],
    ("schedule_group", "create"): [(SCHEDULE_CREATE, "schedules"), (SCHEDULE_PASS_ROLE, "schedule_role")],
    ("function", "invoke"): [(FUNCTION_INVOKE, "function_alias")],
    ("function", "run_durable"): [(DURABLE_RUN, "durable_executions")],
    ("function", "answer_callbacks"): [(DURABLE_ANSWER, "durable_executions")],
    # On "bucket_objects" (arn:aws:s3:::<bucket>/) followed by the permission's prefix and "*".
    ("bucket", "read"): [(OBJECT_READ, "bucket_objects")],
    ("bucket", "write"): [(OBJECT_WRITE, "bucket_objects")],
    # An HMAC key: sign and derive both make MACs (tokens, webhook secrets); verify only checks one.
    ("key", "sign"): [(KEY_MAC_SIGN, "key")],
    ("key", "derive"): [(KEY_MAC_SIGN, "key")],
    ("key", "verify"): [(KEY_MAC_VERIFY, "key")],
    # On "websocket_connections": arn:aws:execute-api:<region>:<account>:<api id>/<stage>/POST/@connections/*.
    ("websocket_api", "post_to_connections"): [(CONNECTIONS_POST, "websocket_connections")],
}


def function_policy(system: SystemDeclaration, function_name: str, arn: ArnOf) -> dict[str, Any]:
    """The inline policy for one function: exactly its declared access, on named resources only."""
    permissions = system.functions[function_name].permissions
    statements = [
        _allow(actions, _resource(arn, arn_kind, permission))
        for permission in permissions
        for actions, arn_kind in GRANTS[(permission.kind, permission.access)]
    ]
    # Querying a table's indexes: each named (an index is a resource of its own).
    statements.extend(
        _allow(TABLE_INDEX_QUERY, table_index_arn(arn("table", permission.name), index))
        for permission in permissions
        if (permission.kind, permission.access) == ("table", "query_indexes")
        for index in system.tables[permission.name].indexes
    )
    statements.extend(
        _allow(QUEUE_CONSUME, arn("queue", trigger.queue))
        for trigger in system.triggers
        if trigger.function == function_name
    )
    return {"Version": "2012-10-17", "Statement": statements}


def _resource(arn: ArnOf, arn_kind: str, permission: Permission) -> str:
    if arn_kind == "bucket_objects":
        return f"{arn(arn_kind, permission.name)}{permission.prefix or ''}*"
    return arn(arn_kind, permission.name)


def table_index_arn(table_arn: str, index: str) -> str:
    """arn:...:table/<t> -> arn:...:table/<t>/index/<index>, what Query on that index is authorised on."""
    return f"{table_arn}/index/{index}"


def websocket_connections_arn(region: str, account: str, api_id: str, stage: str) -> str:
    """The ARN pattern of a WebSocket API stage's connections, as POST @connections/<id> is authorised."""
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/POST/@connections/*"


def bucket_objects_arn(bucket: str) -> str:
    """The ARN prefix of a bucket's objects: arn:aws:s3:::<bucket>/ (a key or a pattern follows)."""
    return f"arn:aws:s3:::{bucket}/"


def table_streams_arn(table_arn: str) -> str:
    """arn:...:table/<t> -> arn:...:table/<t>/stream/*: each stream the table has had or will have.

    A stream's ARN ends in its creation time, so it changes whenever the stream is re-enabled.
    """
    return f"{table_arn}/stream/*"


def durable_executions_arn(function_arn: str) -> str:
    """arn:...:function:<f> -> the ARN pattern of its durable executions, of every version.

    Lambda authorises the durable execution APIs on the execution's ARN, a sub-resource of the
    version that runs it (arn:...:function:<f>:<version>/durable-execution/<name>/<id>); an
    unqualified function ARN never matches it.
    """
    return f"{function_arn}:*/durable-execution/*"


def schedules_arn(schedule_group_arn: str) -> str:
    """arn:...:schedule-group/<group> -> arn:...:schedule/<group>/*, every schedule in that group."""
    return schedule_group_arn.replace(":schedule-group/", ":schedule/", 1) + "/*"


def scheduler_role_policy(target_queue_arn: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [_allow(SCHEDULER_TARGET_SEND, target_queue_arn)]}


def queue_delivery_policy(queue_arn: str, topic_arns: list[str], rule_arns: list[str]) -> dict[str, Any]:
    """The queue's resource policy: SNS may deliver from these topics and EventBridge from these rules only."""
    senders = [("sns.amazonaws.com", arn) for arn in topic_arns] + [("events.amazonaws.com", arn) for arn in rule_arns]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"Deliver{index}",
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}},
            }
            for index, (service, source_arn) in enumerate(senders, start=1)
        ],
    }


def _allow(actions: list[str], resource: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


def _trust(service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }


LAMBDA_TRUST_POLICY = _trust("lambda.amazonaws.com")
SCHEDULER_TRUST_POLICY = _trust("scheduler.amazonaws.com")
