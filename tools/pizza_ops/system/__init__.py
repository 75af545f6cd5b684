"""The system's resource declaration (infra/system.yaml), parsed and validated.

One declaration drives the embedded deployer and is the reference the Terraform is checked
against, so the two cannot drift.
"""

from pizza_ops.system.declaration import (
    QueueSenders,
    SystemDeclaration,
    load_system,
)
from pizza_ops.system.functions import (
    ACCESS_BY_KIND,
    PERMISSION_KINDS,
    BusRef,
    EnvironmentValue,
    Function,
    HttpApi,
    KeyRef,
    LiteralValue,
    Permission,
    PermissionKind,
    QueueArnRef,
    QueueRef,
    ResourceRef,
    ScheduleGroupRef,
    ScheduleRoleRef,
    SqsTrigger,
    StreamTrigger,
    TableRef,
    TopicRef,
)
from pizza_ops.system.resources import (
    DeadLetter,
    EventBus,
    EventRule,
    KmsKey,
    Queue,
    ScheduleGroup,
    StreamViewType,
    Table,
    Topic,
)

__all__ = [
    "ACCESS_BY_KIND",
    "PERMISSION_KINDS",
    "BusRef",
    "DeadLetter",
    "EnvironmentValue",
    "EventBus",
    "EventRule",
    "Function",
    "HttpApi",
    "KeyRef",
    "KmsKey",
    "LiteralValue",
    "Permission",
    "PermissionKind",
    "Queue",
    "QueueArnRef",
    "QueueRef",
    "QueueSenders",
    "ResourceRef",
    "ScheduleGroup",
    "ScheduleGroupRef",
    "ScheduleRoleRef",
    "SqsTrigger",
    "StreamTrigger",
    "StreamViewType",
    "SystemDeclaration",
    "Table",
    "TableRef",
    "Topic",
    "TopicRef",
    "load_system",
]
