"""The resources a declaration names: tables, queues, keys, topics, event buses, schedule groups, buckets."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

StreamViewType = Literal["NEW_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY", "OLD_IMAGE"]
# An event type's name without its version (com.pizza.order.placed): a channel carries every
# published version of the types it names; which versions exist is the producers' code's to say.
EventTypeName = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9-]+(\.[a-z0-9-]+)+$"), AfterValidator(lambda name: _unversioned(name))
]
_VERSION_SUFFIX = re.compile(r"\.v[0-9]+$")


def _unversioned(name: str) -> str:
    if _VERSION_SUFFIX.search(name):
        raise ValueError(f"{name!r} names a version; a channel carries every version of a type: drop the '.vN'")
    return name


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TableIndex(Strict):
    """A global secondary index keyed on one string attribute, projecting whole items."""

    hash_key: str


class Table(Strict):
    hash_key: str
    # An epoch-seconds attribute; DynamoDB deletes the item some time after it has passed.
    ttl_attribute: str | None = None
    # The table has a DynamoDB stream when set, carrying these images of each changed item.
    stream_view_type: StreamViewType | None = None
    # Global secondary indexes by name (a table queried by another attribute than its key).
    indexes: dict[str, TableIndex] = Field(default_factory=dict)


class DeadLetter(Strict):
    name: str
    max_receive_count: int = Field(ge=1)


class Queue(Strict):
    fifo: bool = False
    visibility_timeout_seconds: int = Field(default=30, ge=0)
    dead_letter: DeadLetter | None = None
    alarm_oldest_message_age_seconds: int | None = None
    # The event types functions send to it themselves; what topics, rules and schedules deliver to
    # it is known from them (see pizza_ops.system.event_channels).
    carries: list[EventTypeName] = Field(default_factory=list)


class KmsKey(Strict):
    """A customer managed key, found by its alias alias/<physical name>: symmetric encryption
    (``usage: encrypt``, rotated yearly) or an HMAC-SHA-256 key (``usage: hmac``) that signs and
    verifies MACs without ever leaving KMS."""

    description: str
    usage: Literal["encrypt", "hmac"] = "encrypt"


class Topic(Strict):
    """An SNS topic; each subscriber queue gets the message itself (raw message delivery)."""

    subscribers: list[str] = Field(min_length=1)
    carries: list[EventTypeName] = Field(min_length=1)


class EventRule(Strict):
    """Events from `source` whose detail-type starts with `detail_type_prefix` go to `queue`."""

    source: str
    detail_type_prefix: str = Field(min_length=1)
    queue: str

    def routes(self, event_type: str) -> bool:
        """Whether some version of ``event_type`` (an unversioned name) matches the rule.

        EventBridge's detail-type is the versioned type (``<name>.v2``): a prefix ending in "." takes
        every version, a longer one (``<name>.v2``) one version.
        """
        versioned = f"{event_type}."
        return versioned.startswith(self.detail_type_prefix) or self.detail_type_prefix.startswith(versioned)

    def event_pattern(self) -> dict[str, list[object]]:
        return {"source": [self.source], "detail-type": [{"prefix": self.detail_type_prefix}]}


class EventBus(Strict):
    rules: dict[str, EventRule] = Field(default_factory=dict)
    carries: list[EventTypeName] = Field(min_length=1)

    def source(self) -> str:
        """The one source its rules match: what an event put on the bus must carry to be routed."""
        (source,) = {rule.source for rule in self.rules.values()}
        return source


class ScheduleGroup(Strict):
    """EventBridge Scheduler group whose schedules send to one queue, through a role of its own."""

    target_queue: str
    carries: list[EventTypeName] = Field(min_length=1)


class Bucket(Strict):
    """An S3 bucket: private (every public access blocked), encrypted at rest, and each object
    deleted ``expire_after_days`` after it was written (a lifecycle rule)."""

    expire_after_days: int = Field(ge=1, le=3650)
