"""What a deployment made, found on its endpoint from the declaration's names alone.

Every physical name follows from the declaration (``<name_prefix>-<logical name>``, see
:class:`SystemDeclaration`), whoever deployed it: the embedded deployer or Terraform. So a stack
that Terraform applied is described with the same :class:`StackOutputs` the deployer records, and
the CLI and the tests work on either.
"""

from __future__ import annotations

from typing import Any

import boto3

from pizza_ops.deploy.outputs import StackOutputs
from pizza_ops.deploy.websocket_apis import STAGE, all_apis
from pizza_ops.system import SystemDeclaration


def discover_outputs(
    session: boto3.session.Session, endpoint: str | None, region: str, system: SystemDeclaration
) -> StackOutputs:
    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint, region_name=region)

    sqs, dynamodb, sns, kms, iam = client("sqs"), client("dynamodb"), client("sns"), client("kms"), client("iam")
    account = str(client("sts").get_caller_identity()["Account"])
    queue_urls = {
        name: str(sqs.get_queue_url(QueueName=system.physical_name(name, fifo=queue.fifo))["QueueUrl"])
        for name, queue in system.all_queue_names().items()
    }
    queue_arns = {
        name: str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])
        for name, url in queue_urls.items()
    }
    topics = [t["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]]
    streams = {
        name: dynamodb.describe_table(TableName=system.physical_name(name))["Table"].get("LatestStreamArn")
        for name, table in system.tables.items()
        if table.stream_view_type
    }
    apis = {api["Name"]: api for api in all_apis(client("apigatewayv2"))}
    return StackOutputs(
        endpoint=endpoint or "",
        region=region,
        otlp_endpoint=None,
        api_urls={name: _api_url(apis[system.physical_name(name)], endpoint) for name in system.http_apis},
        queue_urls=queue_urls,
        table_names={name: system.physical_name(name) for name in system.tables},
        function_names={name: system.physical_name(name) for name in system.functions},
        queue_arns=queue_arns,
        topic_arns={
            name: next(arn for arn in topics if arn.endswith(f":{system.physical_name(name)}"))
            for name in system.topics
        },
        bus_names={name: system.physical_name(name) for name in system.event_buses},
        key_arns={
            name: str(kms.describe_key(KeyId=system.key_alias(name))["KeyMetadata"]["Arn"]) for name in system.kms_keys
        },
        schedule_group_names={name: system.physical_name(name) for name in system.schedule_groups},
        scheduler_role_arns={
            name: str(iam.get_role(RoleName=system.scheduler_role_name(name))["Role"]["Arn"])
            for name in system.schedule_groups
        },
        table_stream_arns={name: str(arn) for name, arn in streams.items() if arn},
        bucket_names={name: system.bucket_name(name, account, region) for name in system.buckets},
        websocket_urls={
            name: _websocket_url(apis[system.physical_name(name)], endpoint) for name in system.websocket_apis
        },
    )


def _api_url(api: dict[str, Any], endpoint: str | None) -> str:
    if endpoint:
        return f"{endpoint.rstrip('/')}/_aws/execute-api/{api['ApiId']}"
    return str(api["ApiEndpoint"]).rstrip("/")


def _websocket_url(api: dict[str, Any], endpoint: str | None) -> str:
    if endpoint:
        return f"ws{endpoint.rstrip('/').removeprefix('http')}/_aws/execute-api/{api['ApiId']}/{STAGE}"
    return f"{api['ApiEndpoint']}/{STAGE}"


def leftovers(
    session: boto3.session.Session, endpoint: str | None, region: str, system: SystemDeclaration
) -> list[str]:
    """Whatever named with the system's prefix is still on the endpoint (after a destroy: nothing)."""

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint, region_name=region)

    def pages(service: str, operation: str, key: str) -> list[Any]:
        return [item for page in client(service).get_paginator(operation).paginate() for item in page[key]]

    names = {
        "table": client("dynamodb").list_tables()["TableNames"],
        "queue": [url.rsplit("/", 1)[-1] for url in client("sqs").list_queues().get("QueueUrls", [])],
        "function": [f["FunctionName"] for f in pages("lambda", "list_functions", "Functions")],
        "API": [api["Name"] for api in all_apis(client("apigatewayv2"))],
        "topic": [t["TopicArn"].rsplit(":", 1)[-1] for t in pages("sns", "list_topics", "Topics")],
        "bucket": [b["Name"] for b in client("s3").list_buckets().get("Buckets", [])],
        "event bus": [b["Name"] for b in client("events").list_event_buses()["EventBuses"]],
        "schedule group": [g["Name"] for g in client("scheduler").list_schedule_groups().get("ScheduleGroups", [])],
        "role": [r["RoleName"] for r in client("iam").list_roles()["Roles"]],
        "key alias": [a["AliasName"].removeprefix("alias/") for a in client("kms").list_aliases()["Aliases"]],
    }
    prefix = f"{system.name_prefix}-"
    return sorted(f"{kind} {name}" for kind, found in names.items() for name in found if name.startswith(prefix))
