"""The resources a declaration names: tables, queues, keys, topics, event buses, schedule groups, buckets."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

StreamViewType = Literal["NEW_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY", "OLD_IMAGE"]


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


class KmsKey(Strict):
    """A customer managed key, found by its alias alias/<physical name>: symmetric encryption
    (``usage: encrypt``, rotated yearly) or an HMAC-SHA-256 key (``usage: hmac``) that signs and
    verifies MACs without ever leaving KMS."""

    description: str
    usage: Literal["encrypt", "hmac"] = "encrypt"


class Topic(Strict):
    """An SNS topic; each subscriber queue gets the message itself (raw message delivery)."""

    subscribers: list[str] = Field(min_length=1)


class EventRule(Strict):
    """Events from `source` whose detail-type starts with `detail_type_prefix` go to `queue`."""

    source: str
    detail_type_prefix: str = Field(min_length=1)
    queue: str

    def event_pattern(self) -> dict[str, list[object]]:
        return {"source": [self.source], "detail-type": [{"prefix": self.detail_type_prefix}]}


class EventBus(Strict):
    rules: dict[str, EventRule] = Field(default_factory=dict)

    def source(self) -> str:
        """The one source its rules match: what an event put on the bus must carry to be routed."""
        (source,) = {rule.source for rule in self.rules.values()}
        return source


class ScheduleGroup(Strict):
    """EventBridge Scheduler group whose schedules send to one queue, through a role of its own."""

    target_queue: str


class Bucket(Strict):
    """An S3 bucket: private (every public access blocked), encrypted at rest, and each object
    deleted ``expire_after_days`` after it was written (a lifecycle rule)."""

    expire_after_days: int = Field(ge=1, le=3650)
