"""The IAM review: SDK spans read as the IAM actions that authorise them, and compared with roles'
grants both ways (a call no grant allows; a grant no call used, unless AWS uses it for the role)."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from iam_review.calls import IAM_PREFIXES, AwsCall, UnmappedCall, calls_of
from iam_review.grants import DeployedRole, Grant, grants_of
from iam_review.review import review
from pizza_ops.deploy import iam
from pizza_ops.system import load_system
from pizza_ops.telemetry import StoredSpan

SYSTEM = load_system()
REGION, ACCOUNT = "us-east-1", "000000000000"


def _span(
    service: str, method: str, service_name: str = "order-outbox", status: str = "", **attributes: Any
) -> StoredSpan:
    return StoredSpan(
        trace_id="1" * 32,
        span_id="2" * 16,
        parent_span_id=None,
        name=f"{service}.{method}",
        kind="CLIENT",
        service_name=service_name,
        start_unix_nano=0,
        end_unix_nano=1,
        status_code="ERROR" if status else "UNSET",
        status_message=status,
        attributes={
            "rpc.system": "aws-api",
            "rpc.service": service,
            "rpc.method": method,
            "cloud.region": REGION,
            **attributes,
        },
    )


def _arn(kind: str, name: str) -> str:
    """The ARNs the deployer gives the session stack (prefix pizza), for iam.function_policy."""
    physical = f"pizza-{name}"
    base = f"{REGION}:{ACCOUNT}"
    return {
        "table": f"arn:aws:dynamodb:{base}:table/{physical}",
        "table_streams": f"arn:aws:dynamodb:{base}:table/{physical}/stream/*",
        "queue": f"arn:aws:sqs:{base}:{physical}",
        "key": f"arn:aws:kms:{base}:key/{name}",
        "topic": f"arn:aws:sns:{base}:{physical}",
        "bus": f"arn:aws:events:{base}:event-bus/{physical}",
        "schedules": f"arn:aws:scheduler:{base}:schedule/{physical}/*",
        "schedule_role": f"arn:aws:iam::{ACCOUNT}:role/{physical}-scheduler",
        "function_alias": f"arn:aws:lambda:{base}:function:{physical}:live",
        "durable_executions": f"arn:aws:lambda:{base}:function:{physical}:*/durable-execution/*",
        "bucket_objects": f"arn:aws:s3:::{physical}-{ACCOUNT}-{REGION}/",
        "websocket_connections": f"arn:aws:execute-api:{base}:api/live/POST/@connections/*",
    }[kind]


def _role(function: str) -> DeployedRole:
    return DeployedRole(
        "pizza", function, f"pizza-{function}", tuple(grants_of(iam.function_policy(SYSTEM, function, _arn)))
    )


def test_batch_calls_are_authorised_as_their_single_actions() -> None:
    # Given the outbox relay's batch calls, as its spans record them
    spans = [
        _span("SQS", "SendMessageBatch", **{"aws.queue_url": f"http://127.0.0.1:4566/{ACCOUNT}/pizza-kitchen-orders"}),
        _span("SNS", "PublishBatch", **{"aws.sns.topic.arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:pizza-order-events"}),
        _span("DynamoDB", "BatchExecuteStatement", **{"aws.dynamodb.statements": ["UPDATE pizza-orders"]}),
        _span(
            "Scheduler",
            "CreateSchedule",
            **{
                "aws.scheduler.group_name": "pizza-kitchen-alerts",
                "aws.scheduler.schedule_name": "a",
                "aws.scheduler.target_role_arn": f"arn:aws:iam::{ACCOUNT}:role/pizza-kitchen-alerts-scheduler",
            },
        ),
    ]

    # When they are read as IAM actions
    calls = [(c.action, c.resource) for span in spans for c in calls_of(span, ACCOUNT)]

    # Then each is the action IAM checks, on its resource, and handing a schedule its role is iam:PassRole
    assert calls == [
        ("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:pizza-kitchen-orders"),
        ("sns:Publish", f"arn:aws:sns:{REGION}:{ACCOUNT}:pizza-order-events"),
        ("dynamodb:PartiQLUpdate", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/pizza-orders"),
        ("scheduler:CreateSchedule", f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/pizza-kitchen-alerts/a"),
        ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/pizza-kitchen-alerts-scheduler"),
    ]


def test_a_transaction_is_authorised_part_by_part_and_an_undescribed_one_is_refused() -> None:
    # Given a transaction whose span names its parts, and one whose span does not
    described = _span(
        "DynamoDB", "TransactWriteItems", **{"aws.dynamodb.transact_items": ["Put pizza-a", "Update pizza-b"]}
    )
    bare = _span("DynamoDB", "TransactWriteItems")

    # Then the first is a PutItem and an UpdateItem on their tables, and the second cannot be judged
    assert [(c.action, c.resource) for c in calls_of(described, ACCOUNT)] == [
        ("dynamodb:PutItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/pizza-a"),
        ("dynamodb:UpdateItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/pizza-b"),
    ]
    with pytest.raises(UnmappedCall):
        list(calls_of(bare, ACCOUNT))


def test_iam_prefixes_are_the_services_signing_names() -> None:
    # Given botocore's service models
    session = botocore.session.get_session()
    by_service_id = {}
    for name in ("apigatewaymanagementapi", "dynamodb", "events", "kms", "lambda", "s3", "scheduler", "sns", "sqs"):
        model = session.get_service_model(name)
        by_service_id[model.service_id] = model.signing_name

    # Then each prefix the review uses is the signing name of the service the span names
    assert by_service_id == IAM_PREFIXES


def test_a_call_no_role_allows_is_named_with_function_action_and_resource() -> None:
    # Given the kitchen reading the orders table, which its role does not allow
    call = AwsCall("kitchen-processor", "dynamodb:GetItem", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/pizza-orders")

    # When the calls are reviewed against the roles
    result = review(SYSTEM, [call], [_role(f) for f in SYSTEM.functions], "pizza", judge_grants=False)

    # Then the call is reported by function, action and resource
    assert result.failed
    assert (
        f"kitchen-processor  dynamodb:GetItem  arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/pizza-orders: 1"
        in result.describe()
    )


def test_a_call_iam_refused_is_listed_and_fails_nothing() -> None:
    # Given the kitchen refused a write to a table a chaos scenario renamed
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/pizza-kitchen-orders-unreachable"
    gone = AwsCall("kitchen-processor", "dynamodb:PutItem", table, refused=True)

    # Then it is listed by function, action and resource, and fails nothing: IAM did its job
    result = review(SYSTEM, [gone], [_role("kitchen-processor")], "pizza", judge_grants=False)
    assert not result.failed
    assert f"refused by IAM: kitchen-processor  dynamodb:PutItem  {table}: 1" in result.summary()


def test_an_object_is_judged_by_its_key_prefix() -> None:
    # Given loyalty reading a shared claim and a delivery detail, as its spans name them
    bucket = f"pizza-claim-checks-{ACCOUNT}-{REGION}"
    spans = [
        _span("S3", "GetObject", "loyalty", **{"aws.s3.bucket": bucket, "aws.s3.key": f"{prefix}e-1.json"})
        for prefix in ("shared/", "restricted/delivery/")
    ]
    calls = [c for span in spans for c in calls_of(span, ACCOUNT)]

    # Then the shared claim is allowed and the delivery detail is not
    result = review(SYSTEM, calls, [_role("loyalty-processor")], "pizza", judge_grants=False)
    assert list(result.not_allowed) == [
        ("loyalty-processor", "s3:GetObject", f"arn:aws:s3:::{bucket}/restricted/delivery/e-1.json")
    ]


def _calls_using_every_grant_of(function: str) -> list[AwsCall]:
    service = SYSTEM.functions[function].service_name
    return [AwsCall(service, g.action, g.resource.replace("*", "x")) for g in _role(function).grants]


def test_grants_unused_by_the_whole_run_are_findings_unless_aws_uses_them_for_the_role() -> None:
    # Given the kitchen's every grant used, but for one send to its DLQ
    calls = [
        c
        for c in _calls_using_every_grant_of("kitchen-processor")
        if not (c.action == "sqs:SendMessage" and c.resource and c.resource.endswith("kitchen-orders-dlq"))
        and c.action not in {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"}
    ]

    # When the grants are judged
    result = review(SYSTEM, calls, [_role("kitchen-processor")], "pizza", judge_grants=True)

    # Then the unused DLQ send is a finding, and the trigger queue's polling is Lambda's, excused
    assert result.unused == [
        (
            "kitchen-processor",
            Grant("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:pizza-kitchen-orders-dlq"),
        )
    ]
    excused = {(g.action, why) for _, g, why in result.excused or []}
    assert ("sqs:ReceiveMessage", "sqs trigger polling") in excused
    assert "kitchen-processor  sqs:SendMessage" in result.describe()


def test_grants_are_not_judged_on_part_of_the_suite() -> None:
    # Given no calls at all / When judged without the whole suite / Then nothing is unused
    result = review(SYSTEM, [], [_role("kitchen-processor")], "pizza", judge_grants=False)
    assert result.unused is None and not result.failed


def test_an_unused_table_action_is_a_finding_like_any_other_grant() -> None:
    # Given the kitchen alerts' calls using every grant of its role but UpdateItem on its table
    kitchen_table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/pizza-kitchen-orders"
    service = SYSTEM.functions["kitchen-alert-processor"].service_name
    calls = [
        c
        for c in _calls_using_every_grant_of("kitchen-alert-processor")
        if c != AwsCall(service, "dynamodb:UpdateItem", kitchen_table)
    ]

    # When the grants are judged
    result = review(SYSTEM, calls, [_role("kitchen-alert-processor")], "pizza", judge_grants=True)

    # Then its UpdateItem grant is unused, though it gets the table's items
    assert result.unused == [("kitchen-alert-processor", Grant("dynamodb:UpdateItem", kitchen_table))]
    assert "kitchen-alert-processor  dynamodb:UpdateItem" in result.describe()
    assert result.failed
