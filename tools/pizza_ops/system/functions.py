"""Functions, what their environment refers to, what they may do, and what invokes them."""

from __future__ import annotations

import json
from typing import Any, Literal, get_args

from pydantic import Field, field_validator, model_validator

from pizza_ops.system.resources import Strict

PermissionKind = Literal[
    "table", "queue", "key", "topic", "bus", "schedule_group", "function", "bucket", "websocket_api"
]
Access = Literal[
    "get",
    "put",
    "update",
    "delete",
    "condition_check",
    "partiql_update",
    "query_indexes",
    "read_stream",
    "read",
    "send",
    "encrypt",
    "decrypt",
    "publish",
    "create",
    "invoke",
    "run_durable",
    "answer_callbacks",
    "write",
    "sign",
    "verify",
    "postpone",
    "derive",
    "post_to_connections",
]
PERMISSION_KINDS: tuple[PermissionKind, ...] = get_args(PermissionKind)
ACCESS_BY_KIND: dict[PermissionKind, tuple[Access, ...]] = {
    # A table's item operations, each the one call its code makes (GetItem, PutItem, UpdateItem,
    # DeleteItem, ConditionCheckItem, PartiQL updates: a transaction or batch is authorised by its
    # parts'), so a role is allowed exactly the calls its function makes. query_indexes: Query on
    # each of the table's indexes (an index is a resource of its own). read_stream: read the table's
    # stream, as a stream trigger's function must.
    "table": ("get", "put", "update", "delete", "condition_check", "partiql_update", "query_indexes", "read_stream"),
    # postpone: change a received message's visibility (retry it later), on the function's own queue.
    "queue": ("send", "postpone"),
    # encrypt/decrypt: a symmetric key. An HMAC key: sign (make MACs: tokens and secrets), verify
    # (check a MAC, never make one), derive (make MACs too: a webhook secret is one).
    "key": ("encrypt", "decrypt", "sign", "verify", "derive"),
    "topic": ("publish",),
    "bus": ("publish",),
    "schedule_group": ("create",),
    # invoke: start the (durable) function through its alias. run_durable: checkpoint and read the
    # function's own durable executions, which a durable function needs of itself. answer_callbacks:
    # complete or fail the callbacks its executions wait on.
    "function": ("invoke", "run_durable", "answer_callbacks"),
    # read: get objects, write: put them; under `prefix` when one is given. (Presigning a URL hands
    # out the signer's right to get the object: it needs read.)
    "bucket": ("read", "write"),
    # Post to the API stage's connections through its management endpoint (POST @connections/<id>
    # only: a connection that is gone is forgotten, never disconnected through the API).
    "websocket_api": ("post_to_connections",),
}


class _Ref(Strict):
    """An environment value naming one declared resource: {<kind>: <logical name>}."""

    @property
    def target(self) -> tuple[str, str]:
        [kind] = type(self).model_fields
        return kind, str(getattr(self, kind))


class TableRef(_Ref):
    """The table's physical name."""

    table: str


class QueueRef(_Ref):
    """The queue's URL."""

    queue: str


class QueueArnRef(_Ref):
    """The queue's ARN (a schedule's target, say)."""

    queue_arn: str


class TopicRef(_Ref):
    """The topic's ARN."""

    topic: str


class BusRef(_Ref):
    """The event bus's physical name."""

    bus: str


class KeyRef(_Ref):
    """The KMS key's ARN."""

    key: str


class ScheduleGroupRef(_Ref):
    """The schedule group's physical name."""

    schedule_group: str


class ScheduleRoleRef(_Ref):
    """The ARN of the role the schedule group's schedules run as."""

    schedule_role: str


class FunctionAliasRef(_Ref):
    """The ARN of the durable function's alias (its executions start on a published version)."""

    function_alias: str


class BucketRef(_Ref):
    """The bucket's physical name."""

    bucket: str


class HttpApiRef(_Ref):
    """The HTTP API's public base URL (what its clients are told to call, as in a statusUrl)."""

    http_api: str


class WebSocketApiRef(_Ref):
    """The URL clients connect to (wss://… on AWS)."""

    websocket_api: str


class WebSocketManagementRef(_Ref):
    """The API's management endpoint (https://…/<stage>), where functions post to connections."""

    websocket_api_management: str


class LiteralValue(Strict):
    value: str


ResourceRef = (
    TableRef
    | QueueRef
    | QueueArnRef
    | TopicRef
    | BusRef
    | KeyRef
    | ScheduleGroupRef
    | ScheduleRoleRef
    | FunctionAliasRef
    | BucketRef
    | HttpApiRef
    | WebSocketApiRef
    | WebSocketManagementRef
)
EnvironmentValue = ResourceRef | LiteralValue


class Permission(Strict):
    """One access on one declared resource, e.g. {table: orders, access: get}; the declaration may
    name several accesses to one resource at once, {table: orders, access: [get, put]}."""

    table: str | None = None
    queue: str | None = None
    key: str | None = None
    topic: str | None = None
    bus: str | None = None
    schedule_group: str | None = None
    function: str | None = None
    bucket: str | None = None
    websocket_api: str | None = None
    access: Access
    # For a bucket: the key prefix the access is limited to (e.g. "shared/").
    prefix: str | None = Field(default=None, min_length=1, pattern=r"^[A-Za-z0-9._/-]+/$")

    @model_validator(mode="after")
    def _one_target_with_its_access(self) -> Permission:
        named = [kind for kind in PERMISSION_KINDS if getattr(self, kind) is not None]
        if len(named) != 1:
            raise ValueError(f"a permission names exactly one of {', '.join(PERMISSION_KINDS)}")
        allowed = ACCESS_BY_KIND[named[0]]
        if self.access not in allowed:
            raise ValueError(f"access {self.access!r} does not apply to a {named[0]}; use one of {', '.join(allowed)}")
        if self.prefix is not None and named[0] != "bucket":
            raise ValueError("only a bucket permission takes a prefix")
        return self

    @property
    def kind(self) -> PermissionKind:
        return next(kind for kind in PERMISSION_KINDS if getattr(self, kind) is not None)

    @property
    def name(self) -> str:
        return str(getattr(self, self.kind))


class Durable(Strict):
    """A Lambda durable function: its executions checkpoint their steps and may last far longer
    than one invocation. Executions start on the alias (a published version), never $LATEST."""

    execution_timeout_seconds: int = Field(default=3600, ge=1, le=31622400)
    retention_days: int = Field(default=1, ge=1, le=90)
    alias: str = "live"
    # A metric the function emits (CloudWatch embedded metric format, namespace "pizza", dimension
    # service = its service name) when an execution needs a person; alarmed above 0.
    alarm_metric: str | None = None


class Function(Strict):
    service_name: str
    package: str
    # Other services' packages the zip carries too: the saga calls their use cases in-process.
    with_packages: list[str] = Field(default_factory=list)
    durable: Durable | None = None
    handler: str
    timeout_seconds: int = 10
    memory_mb: int = 256
    environment: dict[str, EnvironmentValue] = Field(default_factory=dict)
    permissions: list[Permission] = Field(default_factory=list)

    @field_validator("permissions", mode="before")
    @classmethod
    def _one_permission_per_access(cls, permissions: Any) -> Any:
        """{table: orders, access: [get, put]} is {table: orders, access: get} and {…, access: put}."""
        if not isinstance(permissions, list):
            return permissions
        return [
            {**permission, "access": access} if isinstance(permission, dict) else permission
            for permission in permissions
            for access in _accesses(permission)
        ]


def _accesses(permission: Any) -> list[Any]:
    access = permission.get("access") if isinstance(permission, dict) else None
    return access if isinstance(access, list) and access else [access]


class SqsTrigger(Strict):
    function: str
    queue: str
    batch_size: int = Field(default=10, ge=1)
    maximum_batching_window_seconds: int = 0
    maximum_concurrency: int = Field(default=2, ge=2)


class StreamTrigger(Strict):
    """A table's DynamoDB stream invoking a function with batches of changed items (in order per item).

    A failing batch blocks its shard until it succeeds, is split (bisect) or gives up under the
    retry policy; a batch given up on is recorded in ``on_failure_queue`` (a pointer to the stream
    records, not the records themselves). Each of ``filter_patterns`` is one Lambda event filter:
    a record is delivered when it matches any of them. ``alarm_iterator_age_seconds`` alarms when
    the function reads its stream that far behind (Lambda's IteratorAge): a batch keeps failing.
    """

    function: str
    table: str
    starting_position: Literal["TRIM_HORIZON", "LATEST"] = "TRIM_HORIZON"
    batch_size: int = Field(default=10, ge=1, le=10000)
    maximum_batching_window_seconds: int = Field(default=0, ge=0, le=300)
    bisect_batch_on_function_error: bool = True
    # -1: retry until the record expires from the stream.
    maximum_retry_attempts: int = Field(default=-1, ge=-1, le=10000)
    # -1: no limit but the stream's own retention.
    maximum_record_age_seconds: int = -1
    on_failure_queue: str | None = None
    filter_patterns: list[dict[str, Any]] = Field(default_factory=list)
    alarm_iterator_age_seconds: int | None = Field(default=None, ge=1)

    @field_validator("maximum_record_age_seconds")
    @classmethod
    def _record_age_in_range(cls, age: int) -> int:
        if age != -1 and not 60 <= age <= 604800:
            raise ValueError("maximum_record_age_seconds is -1 (unlimited) or between 60 and 604800")
        return age

    def filter_criteria(self) -> dict[str, list[dict[str, str]]]:
        """The patterns as Lambda's FilterCriteria: one filter each, its pattern as JSON text."""
        return {"Filters": [{"Pattern": json.dumps(pattern)} for pattern in self.filter_patterns]}


class Cors(Strict):
    """An HTTP API's CORS configuration: which browser origins may call it, and how."""

    allow_origins: list[str] = Field(min_length=1)
    allow_methods: list[str] = Field(default_factory=list)
    allow_headers: list[str] = Field(default_factory=list)
    expose_headers: list[str] = Field(default_factory=list)
    max_age_seconds: int = Field(default=300, ge=0, le=86400)


class HttpApi(Strict):
    routes: dict[str, str]
    cors: Cors | None = None


class WebSocketApi(Strict):
    """A WebSocket API: route keys ($connect, $disconnect, $default or an action) to functions."""

    routes: dict[str, str] = Field(min_length=1)
