"""Creates (or updates) the declared system on an AWS endpoint: an emulator, or AWS itself.

The same calls serve both; what differs is configuration (the endpoint) and one emulator URL
scheme for HTTP APIs. Re-running converges: existing resources are reused and updated.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

from pizza_ops.deploy import iam, resource_policies
from pizza_ops.deploy.alarms import converge_alarm, iterator_age, queue_metric, service_metric
from pizza_ops.deploy.buckets import ensure_bucket, ministack_bucket_policy
from pizza_ops.deploy.kms import ensure_key
from pizza_ops.deploy.ministack_durable import DurableFunctionExists, create_durable_function
from pizza_ops.deploy.outputs import StackOutputs
from pizza_ops.deploy.pubsub import PubSubDeployer
from pizza_ops.deploy.scheduling import ensure_schedule_group, ministack_schedule_grant
from pizza_ops.deploy.stream_triggers import ensure_stream_trigger
from pizza_ops.deploy.tables import ensure_table
from pizza_ops.deploy.websocket_apis import (
    STAGE as WEBSOCKET_STAGE,
)
from pizza_ops.deploy.websocket_apis import (
    DeployedWebSocketApi,
    all_apis,
    allow_api_to_invoke,
    ensure_websocket_api,
    ensure_websocket_routes,
)
from pizza_ops.deploy.zips import SHARED_PACKAGES, build_zip
from pizza_ops.system import Cors, Function, LiteralValue, SqsTrigger, StreamTrigger, SystemDeclaration


@dataclass(frozen=True)
class DeployOptions:
    endpoint: str | None  # None: real AWS
    otlp_endpoint: str | None
    region: str = "us-east-1"
    runtime: str = "python3.12"
    # Tests shorten the retry cycle (visibility timeout) so a poison message reaches the DLQ in seconds.
    visibility_timeout_seconds: int | None = None
    extra_environment: dict[str, dict[str, str]] = field(default_factory=dict)
    # Where the zips' sources are; None: the services/ of the repository around the working directory.
    services_dir: Path | None = None
    # Packages every zip carries besides its function's (the benchmarks' bare chain carries none).
    shared_packages: tuple[str, ...] = SHARED_PACKAGES


class Deployer:
    def __init__(self, system: SystemDeclaration, options: DeployOptions, session: boto3.session.Session) -> None:
        self._system = system
        self._options = options
        kwargs = {"region_name": options.region, "endpoint_url": options.endpoint}
        self._dynamodb = session.client("dynamodb", **kwargs)
        self._sqs = session.client("sqs", **kwargs)
        self._lambda = session.client("lambda", **kwargs)
        self._iam = session.client("iam", **kwargs)
        self._apigw = session.client("apigatewayv2", **kwargs)
        self._cloudwatch = session.client("cloudwatch", **kwargs)
        self._kms = session.client("kms", **kwargs)
        self._sns = session.client("sns", **kwargs)
        self._events = session.client("events", **kwargs)
        self._scheduler = session.client("scheduler", **kwargs)
        self._sts = session.client("sts", **kwargs)
        self._s3 = session.client("s3", **kwargs)
        self._session = session
        self._queue_urls: dict[str, str] = {}
        self._queue_arns: dict[str, str] = {}
        # ARNs by (kind, logical name), as iam.ArnOf names them; queues are in _queue_arns.
        self._arns: dict[tuple[str, str], str] = {}
        self._function_arns: dict[str, str] = {}
        # Each streamed table's current stream, by logical name.
        self._stream_arns: dict[str, str] = {}
        self._websocket_apis: dict[str, DeployedWebSocketApi] = {}
        # Each HTTP API's id and public URL, by logical name.
        self._http_apis: dict[str, tuple[str, str]] = {}

    def deploy(self) -> StackOutputs:
        # Order matters: queues before what delivers to them, keys and schedule roles before the
        # functions whose policies name them.
        for name, table in self._system.tables.items():
            deployed = ensure_table(self._dynamodb, self._system.physical_name(name), table)
            self._arns["table", name] = deployed.arn
            self._arns["table_streams", name] = iam.table_streams_arn(deployed.arn)
            if deployed.stream_arn:
                self._stream_arns[name] = deployed.stream_arn
        self._ensure_queues()
        self._ensure_alarms()
        for name, key in self._system.kms_keys.items():
            self._arns["key", name] = ensure_key(self._kms, self._system.key_alias(name), key.description, key.usage)
        pubsub = PubSubDeployer(self._system, self._sns, self._events, self._sqs).deploy(
            self._queue_urls, self._queue_arns
        )
        self._arns.update({("topic", name): arn for name, arn in pubsub.topic_arns.items()})
        self._arns.update({("bus", name): arn for name, arn in pubsub.bus_arns.items()})
        self._ensure_schedule_groups()
        bucket_names = self._ensure_buckets()
        self._create_websocket_apis()
        self._create_http_apis()
        zips = {
            package: build_zip(package, self._options.services_dir, extra, self._options.shared_packages)
            for package, extra in self._system.packages().items()
        }
        self._name_functions()
        for name, function in self._system.functions.items():
            code = zips[function.package]
            self._ensure_function(name, function, code, self._environment_of(name, function))
        # Once every role exists: a key policy or bucket policy naming a missing role is refused.
        self._apply_resource_policies(bucket_names)
        for trigger in self._system.triggers:
            self._ensure_sqs_trigger(trigger.function, trigger.queue, trigger)
        for stream_trigger in self._system.stream_triggers:
            self._ensure_stream_trigger(stream_trigger)
        self._ensure_iterator_age_alarms()
        self._ensure_durable_alarms()
        for name, websocket_api in self._system.websocket_apis.items():
            routes = {key: self._function_arns[function] for key, function in websocket_api.routes.items()}
            ensure_websocket_routes(
                self._apigw, self._lambda, self._websocket_apis[name].api_id, routes, self._options.region
            )
        for name, http_api in self._system.http_apis.items():
            self._route_http_api(name, http_api.routes)
        api_urls = {name: url for name, (_, url) in self._http_apis.items()}
        return StackOutputs(
            endpoint=self._options.endpoint or "",
            region=self._options.region,
            otlp_endpoint=self._options.otlp_endpoint,
            api_urls=api_urls,
            queue_urls=dict(self._queue_urls),
            table_names={name: self._system.physical_name(name) for name in self._system.tables},
            function_names={name: self._system.physical_name(name) for name in self._system.functions},
            queue_arns=dict(self._queue_arns),
            topic_arns=dict(pubsub.topic_arns),
            bus_names={name: self._system.physical_name(name) for name in self._system.event_buses},
            key_arns=self._arns_of("key"),
            schedule_group_names={name: self._system.physical_name(name) for name in self._system.schedule_groups},
            scheduler_role_arns=self._arns_of("schedule_role"),
            table_stream_arns=dict(self._stream_arns),
            bucket_names=bucket_names,
            websocket_urls={name: api.url for name, api in self._websocket_apis.items()},
        )

    @functools.cached_property
    def _account(self) -> str:
        """The account deployed to (asked once): function ARNs and bucket names carry it."""
        return str(self._sts.get_caller_identity()["Account"])

    def _arn(self, kind: str, name: str) -> str:
        return self._queue_arns[name] if kind == "queue" else self._arns[kind, name]

    def _arns_of(self, kind: str) -> dict[str, str]:
        return {name: arn for (k, name), arn in self._arns.items() if k == kind}

    # -- queues --------------------------------------------------------------------------------
    def _ensure_queues(self) -> None:
        for name, queue in self._system.queues.items():
            visibility = self._options.visibility_timeout_seconds or queue.visibility_timeout_seconds
            redrive = None
            if queue.dead_letter:
                self._ensure_queue(queue.dead_letter.name, queue.fifo, {"MessageRetentionPeriod": "1209600"})
                redrive = {
                    "deadLetterTargetArn": self._queue_arns[queue.dead_letter.name],
                    "maxReceiveCount": queue.dead_letter.max_receive_count,
                }
            attributes = {"VisibilityTimeout": str(visibility)}
            if redrive:
                attributes["RedrivePolicy"] = json.dumps(redrive)
            self._ensure_queue(name, queue.fifo, attributes)

    def _ensure_queue(self, name: str, fifo: bool, attributes: dict[str, str]) -> None:
        physical = self._system.physical_name(name, fifo=fifo)
        if fifo:
            attributes = {**attributes, "FifoQueue": "true", "ContentBasedDeduplication": "false"}
        try:
            url = self._sqs.create_queue(QueueName=physical, Attributes=attributes)["QueueUrl"]
        except ClientError as error:
            if error.response["Error"]["Code"] not in ("QueueAlreadyExists", "QueueNameExists"):
                raise
            url = self._sqs.get_queue_url(QueueName=physical)["QueueUrl"]
            self._sqs.set_queue_attributes(
                QueueUrl=url, Attributes={k: v for k, v in attributes.items() if k != "FifoQueue"}
            )
        self._queue_urls[name] = url
        self._queue_arns[name] = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]

    def _ensure_alarms(self) -> None:
        for name, queue in self._system.queues.items():
            if queue.dead_letter:
                self._queue_alarm(queue.dead_letter.name, "ApproximateNumberOfMessagesVisible", 0, "messages waiting")
            self._queue_alarm(name, "ApproximateAgeOfOldestMessage", queue.alarm_oldest_message_age_seconds, "s old")

    def _queue_alarm(self, queue: str, metric: str, threshold: int | None, unit_text: str) -> None:
        queue_name = self._queue_urls[queue].rsplit("/", 1)[-1]
        converge_alarm(self._cloudwatch, queue_metric(queue_name, metric), threshold, unit_text)

    # -- schedule groups -----------------------------------------------------------------------
    def _ensure_schedule_groups(self) -> None:
        for name, group in self._system.schedule_groups.items():
            deployed = ensure_schedule_group(
                self._scheduler,
                self._iam,
                self._system.physical_name(name),
                self._system.scheduler_role_name(name),
                self._queue_arns[group.target_queue],
            )
            self._arns["schedules", name] = iam.schedules_arn(deployed.arn)
            self._arns["schedule_role", name] = deployed.role_arn

    # -- buckets -------------------------------------------------------------------------------
    def _ensure_buckets(self) -> dict[str, str]:
        names = {}
        for name, bucket in self._system.buckets.items():
            physical = self._system.bucket_name(name, self._account, self._options.region)
            ensure_bucket(self._s3, physical, self._options.region, bucket)
            self._arns["bucket", name] = physical
            self._arns["bucket_objects", name] = iam.bucket_objects_arn(physical)
            names[name] = physical
        return names

    def _create_websocket_apis(self) -> None:
        for name in self._system.websocket_apis:
            api = ensure_websocket_api(self._apigw, self._system.physical_name(name), self._options.endpoint)
            self._websocket_apis[name] = api
            self._arns["websocket_connections", name] = iam.websocket_connections_arn(
                self._options.region, self._account, api.api_id, WEBSOCKET_STAGE
            )

    def _apply_resource_policies(self, bucket_names: dict[str, str]) -> None:
        for name in self._system.kms_keys:
            policy = resource_policies.key_policy(self._system, name, self._account, self._role_arn)
            self._kms.put_key_policy(KeyId=self._arns["key", name], PolicyName="default", Policy=json.dumps(policy))
        for name, physical in bucket_names.items():
            policy = resource_policies.bucket_policy(self._system, name, physical, self._role_arn)
            if self._options.endpoint:
                policy = ministack_bucket_policy(policy)
            if policy["Statement"]:
                self._s3.put_bucket_policy(Bucket=physical, Policy=json.dumps(policy))

    def _role_arn(self, function: str) -> str:
        return f"arn:aws:iam::{self._account}:role/{self._system.physical_name(function)}"

    # -- functions -----------------------------------------------------------------------------
    def _environment_of(self, name: str, function: Function) -> dict[str, str]:
        environment = {
            "OTEL_SERVICE_NAME": function.service_name,
            "POWERTOOLS_SERVICE_NAME": function.service_name,
        }
        if self._options.otlp_endpoint:
            environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = self._options.otlp_endpoint
        for key, value in function.environment.items():
            environment[key] = value.value if isinstance(value, LiteralValue) else self._resolve(*value.target)
        environment.update(self._options.extra_environment.get(name, {}))
        return environment

    def _resolve(self, kind: str, name: str) -> str:
        """An environment reference's value: names for tables, buses and groups, the URL for queues, else ARNs
        (for a durable function, its alias's)."""
        if kind in ("table", "bus", "schedule_group"):
            return self._system.physical_name(name)
        if kind == "bucket":
            return self._arns["bucket", name]
        if kind == "queue":
            return self._queue_urls[name]
        if kind == "http_api":
            return self._http_apis[name][1]
        if kind == "websocket_api":
            return self._websocket_apis[name].url
        if kind == "websocket_api_management":
            return self._websocket_apis[name].management_url
        return self._arn({"queue_arn": "queue"}.get(kind, kind), name)

    def _ensure_role(self, name: str) -> str:
        role_name = self._system.physical_name(name)
        try:
            role_arn: str = self._iam.create_role(
                RoleName=role_name, AssumeRolePolicyDocument=json.dumps(iam.LAMBDA_TRUST_POLICY)
            )["Role"]["Arn"]
        except ClientError as error:
            if error.response["Error"]["Code"] != "EntityAlreadyExists":
                raise
            role_arn = self._iam.get_role(RoleName=role_name)["Role"]["Arn"]
        policy = iam.function_policy(self._system, name, self._arn)
        if self._options.endpoint:
            policy = ministack_schedule_grant(policy)
        self._iam.put_role_policy(RoleName=role_name, PolicyName="least-privilege", PolicyDocument=json.dumps(policy))
        return role_arn

    def _name_functions(self) -> None:
        """Every function's ARN before any is created: their policies and settings name each other."""
        for name, function in self._system.functions.items():
            arn = f"arn:aws:lambda:{self._options.region}:{self._account}:function:{self._system.physical_name(name)}"
            self._arns["function", name] = arn
            if function.durable:
                self._arns["function_alias", name] = f"{arn}:{function.durable.alias}"
                self._arns["durable_executions", name] = iam.durable_executions_arn(arn)

    def _ensure_function(self, name: str, function: Function, code: bytes, environment: dict[str, str]) -> None:
        physical = self._system.physical_name(name)
        configuration = {
            "Runtime": self._options.runtime,
            "Handler": function.handler,
            "Timeout": function.timeout_seconds,
            "MemorySize": function.memory_mb,
            "Environment": {"Variables": environment},
        }
        # The role's policy is (re)written on every deploy, so changed permissions reach existing functions.
        role_arn = self._ensure_role(name)
        try:
            arn = self._create_function(physical, role_arn, code, configuration, function)
        except (ClientError, DurableFunctionExists) as error:
            if isinstance(error, ClientError) and error.response["Error"]["Code"] != "ResourceConflictException":
                raise
            self._lambda.update_function_code(FunctionName=physical, ZipFile=code)
            self._wait_updated(physical)
            arn = self._lambda.update_function_configuration(FunctionName=physical, **configuration)["FunctionArn"]
        self._lambda.get_waiter("function_active_v2").wait(FunctionName=physical, WaiterConfig={"Delay": 1})
        self._wait_updated(physical)
        if function.durable:
            self._publish_alias(physical, function.durable.alias)
        self._function_arns[name] = arn

    def _create_function(
        self, physical: str, role_arn: str, code: bytes, configuration: dict[str, Any], function: Function
    ) -> str:
        request = {"FunctionName": physical, "Role": role_arn, "Code": {"ZipFile": code}, **configuration}
        if function.durable is None:
            return str(self._lambda.create_function(**request)["FunctionArn"])
        request["DurableConfig"] = {
            "ExecutionTimeout": function.durable.execution_timeout_seconds,
            "RetentionPeriodInDays": function.durable.retention_days,
        }
        if self._options.endpoint:
            return create_durable_function(self._session, self._options.endpoint, self._options.region, request)
        return str(self._lambda.create_function(**request)["FunctionArn"])

    def _publish_alias(self, physical: str, alias: str) -> None:
        """Publish what was just deployed and point the alias at it: executions start on the alias."""
        version = self._lambda.publish_version(FunctionName=physical)["Version"]
        try:
            self._lambda.create_alias(FunctionName=physical, Name=alias, FunctionVersion=version)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceConflictException":
                raise
            self._lambda.update_alias(FunctionName=physical, Name=alias, FunctionVersion=version)

    def _wait_updated(self, physical: str) -> None:
        self._lambda.get_waiter("function_updated_v2").wait(FunctionName=physical, WaiterConfig={"Delay": 1})

    def _ensure_sqs_trigger(self, function: str, queue: str, trigger: SqsTrigger) -> None:
        physical = self._system.physical_name(function)
        settings: dict[str, Any] = {
            "BatchSize": trigger.batch_size,
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {"MaximumConcurrency": trigger.maximum_concurrency},
        }
        if not self._system.queues[queue].fifo:  # AWS refuses a batching window on FIFO sources
            settings["MaximumBatchingWindowInSeconds"] = trigger.maximum_batching_window_seconds
        existing = self._lambda.list_event_source_mappings(
            FunctionName=physical, EventSourceArn=self._queue_arns[queue]
        )["EventSourceMappings"]
        if existing:
            self._lambda.update_event_source_mapping(UUID=existing[0]["UUID"], Enabled=True, **settings)
        else:
            self._lambda.create_event_source_mapping(
                FunctionName=physical, EventSourceArn=self._queue_arns[queue], Enabled=True, **settings
            )

    def _ensure_stream_trigger(self, trigger: StreamTrigger) -> None:
        on_failure = trigger.on_failure_queue
        ensure_stream_trigger(
            self._lambda,
            self._system.physical_name(trigger.function),
            self._arns["table", trigger.table],
            self._stream_arns[trigger.table],
            trigger,
            self._queue_arns[on_failure] if on_failure else None,
        )

    def _ensure_iterator_age_alarms(self) -> None:
        for function, seconds in self._system.iterator_age_alarms().items():
            watched = iterator_age(self._system.physical_name(function))
            # IteratorAge is in milliseconds.
            converge_alarm(self._cloudwatch, watched, seconds * 1000 if seconds else None, "ms behind its stream")

    def _ensure_durable_alarms(self) -> None:
        for name, function in self._system.functions.items():
            if function.durable and function.durable.alarm_metric:
                physical = self._system.physical_name(name)
                watched = service_metric(physical, function.service_name, function.durable.alarm_metric)
                converge_alarm(self._cloudwatch, watched, 0, "executions that need a person")

    # -- HTTP APIs -----------------------------------------------------------------------------
    def _create_http_apis(self) -> None:
        """Each API, its CORS and its stage, before the functions: their settings name its URL."""
        for name, http_api in self._system.http_apis.items():
            physical = self._system.physical_name(name)
            existing = [api for api in all_apis(self._apigw) if api["Name"] == physical]
            api = existing[0] if existing else self._apigw.create_api(Name=physical, ProtocolType="HTTP")
            api_id = str(api["ApiId"])
            if http_api.cors is not None:
                self._apigw.update_api(ApiId=api_id, CorsConfiguration=_cors_configuration(http_api.cors))
            elif api.get("CorsConfiguration"):
                self._apigw.delete_cors_configuration(ApiId=api_id)
            if not any(s["StageName"] == "$default" for s in self._apigw.get_stages(ApiId=api_id)["Items"]):
                self._apigw.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True)
            if self._options.endpoint:
                # Emulators serve HTTP APIs under the gateway's own address; host-style names need DNS.
                url = f"{self._options.endpoint.rstrip('/')}/_aws/execute-api/{api_id}"
            else:
                url = str(api["ApiEndpoint"])
            self._http_apis[name] = (api_id, url)

    def _route_http_api(self, name: str, routes: dict[str, str]) -> None:
        """The API's routes to its functions (proxy integrations, payload 2.0), once they exist."""
        api_id = self._http_apis[name][0]
        integrations = {
            i["IntegrationUri"]: i["IntegrationId"] for i in self._apigw.get_integrations(ApiId=api_id)["Items"]
        }
        existing_routes = {r["RouteKey"] for r in self._apigw.get_routes(ApiId=api_id)["Items"]}
        for route_key, function in routes.items():
            arn = self._function_arns[function]
            if arn not in integrations:
                integrations[arn] = self._apigw.create_integration(
                    ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationUri=arn, PayloadFormatVersion="2.0"
                )["IntegrationId"]
                allow_api_to_invoke(self._lambda, arn, api_id, self._options.region, statement_prefix="http-api")
            if route_key not in existing_routes:
                self._apigw.create_route(ApiId=api_id, RouteKey=route_key, Target=f"integrations/{integrations[arn]}")


def _cors_configuration(cors: Cors) -> dict[str, Any]:
    return {
        "AllowOrigins": cors.allow_origins,
        "AllowMethods": cors.allow_methods,
        "AllowHeaders": cors.allow_headers,
        "ExposeHeaders": cors.expose_headers,
        "MaxAge": cors.max_age_seconds,
    }
