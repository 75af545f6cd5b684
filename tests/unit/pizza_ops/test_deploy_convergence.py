"""Redeploying converges: TTL and streams are changed only when they differ, indexes declared since are
added one at a time, a subscribed queue is not subscribed again, a stream trigger keeps one mapping,
on the table's current stream, an alarm follows its declared threshold, a key keeps its usage, and a
WebSocket API keeps one integration per function and one route per key."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from pizza_ops.deploy import tables
from pizza_ops.deploy.alarms import converge_alarm, iterator_age, queue_metric
from pizza_ops.deploy.kms import ensure_key
from pizza_ops.deploy.pubsub import PubSubDeployer
from pizza_ops.deploy.stream_triggers import ensure_stream_trigger
from pizza_ops.deploy.tables import DeployedTable, ensure_table
from pizza_ops.deploy.websocket_apis import DeployedWebSocketApi, ensure_websocket_api, ensure_websocket_routes
from pizza_ops.system import StreamTrigger, Table, TableIndex, load_system

TABLE_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/pizza-orders"


class FakeDynamoDb:
    """An existing table whose TTL status is given; records UpdateTimeToLive calls."""

    def __init__(self, ttl: dict[str, str]) -> None:
        self.ttl = ttl
        self.updates: list[dict[str, Any]] = []

    def describe_table(self, TableName: str) -> dict[str, Any]:  # noqa: N803 (boto3's parameter names)
        return {"Table": {"TableArn": f"arn:aws:dynamodb:us-east-1:000000000000:table/{TableName}"}}

    def describe_time_to_live(self, TableName: str) -> dict[str, Any]:  # noqa: N803
        return {"TimeToLiveDescription": self.ttl}

    def update_time_to_live(self, TableName: str, TimeToLiveSpecification: dict[str, Any]) -> None:  # noqa: N803
        self.updates.append(TimeToLiveSpecification)


def test_ttl_is_enabled_once_and_left_alone_when_already_as_declared() -> None:
    # Given a table without TTL, declared with one
    dynamodb = FakeDynamoDb({"TimeToLiveStatus": "DISABLED"})

    # When it is deployed / Then TTL is enabled on the declared attribute
    ensure_table(dynamodb, "pizza-loyalty-inbox", Table(hash_key="id", ttl_attribute="expiration"))
    assert dynamodb.updates == [{"Enabled": True, "AttributeName": "expiration"}]

    # And when it is deployed again with TTL already on / Then nothing is changed
    dynamodb = FakeDynamoDb({"TimeToLiveStatus": "ENABLED", "AttributeName": "expiration"})
    ensure_table(dynamodb, "pizza-loyalty-inbox", Table(hash_key="id", ttl_attribute="expiration"))
    assert dynamodb.updates == []


def test_a_changed_ttl_attribute_is_switched_by_disabling_the_old_one_first() -> None:
    # Given TTL on another attribute than the declared one
    dynamodb = FakeDynamoDb({"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"})

    # When the table is deployed
    ensure_table(dynamodb, "pizza-loyalty-inbox", Table(hash_key="id", ttl_attribute="expiration"))

    # Then the old attribute is disabled, then the declared one enabled
    assert dynamodb.updates == [
        {"Enabled": False, "AttributeName": "expiresAt"},
        {"Enabled": True, "AttributeName": "expiration"},
    ]


def test_ttl_removed_from_the_declaration_is_disabled() -> None:
    # Given TTL on, and a declaration without it / When deployed / Then TTL is turned off
    dynamodb = FakeDynamoDb({"TimeToLiveStatus": "ENABLED", "AttributeName": "expiration"})
    ensure_table(dynamodb, "pizza-orders", Table(hash_key="orderId"))
    assert dynamodb.updates == [{"Enabled": False, "AttributeName": "expiration"}]


class FakeSns:
    """A topic with some SQS subscriptions already; records what is subscribed or changed."""

    def __init__(self, subscribed: list[str]) -> None:
        self.existing = [{"Protocol": "sqs", "Endpoint": q, "SubscriptionArn": f"sub-{q}"} for q in subscribed]
        self.subscribed: list[tuple[str, dict[str, str]]] = []
        self.made_raw: list[str] = []

    def get_paginator(self, name: str) -> FakeSns:
        assert name == "list_subscriptions_by_topic"
        return self

    def paginate(self, TopicArn: str) -> list[dict[str, Any]]:  # noqa: N803
        return [{"Subscriptions": self.existing}]

    def subscribe(self, Endpoint: str, Attributes: dict[str, str], **_: Any) -> None:  # noqa: N803
        self.subscribed.append((Endpoint, Attributes))

    def set_subscription_attributes(self, SubscriptionArn: str, AttributeName: str, AttributeValue: str) -> None:  # noqa: N803
        assert (AttributeName, AttributeValue) == ("RawMessageDelivery", "true")
        self.made_raw.append(SubscriptionArn)


def test_only_queues_not_yet_subscribed_are_subscribed_and_every_subscription_is_raw() -> None:
    # Given a topic to which one of two queues is already subscribed
    sns = FakeSns(subscribed=["arn:queue-a"])
    deployer = PubSubDeployer(load_system(), sns, events=None, sqs=None)

    # When the subscriptions are converged
    deployer.converge_subscriptions("arn:topic", ["arn:queue-a", "arn:queue-b"])

    # Then only the new queue is subscribed, with raw delivery, and the existing one is made raw
    assert sns.subscribed == [("arn:queue-b", {"RawMessageDelivery": "true"})]
    assert sns.made_raw == ["sub-arn:queue-a"]


class FakeStreamedTable:
    """A table (or none yet) whose stream has a view type, or is off; records what is changed.

    Enabling a stream gives it a new ARN, as DynamoDB does; changing the view type of an enabled
    stream is refused, as DynamoDB refuses it.
    """

    def __init__(self, view_type: str | None = None, *, exists: bool = True) -> None:
        self.exists = exists
        self.view_type = view_type
        self.streams_enabled = 1 if view_type else 0
        self.created: list[dict[str, Any]] = []
        self.stream_updates: list[dict[str, Any]] = []

    def describe_table(self, TableName: str) -> dict[str, Any]:  # noqa: N803
        if not self.exists:
            raise ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "DescribeTable")
        return {"Table": self._description()}

    def _description(self) -> dict[str, Any]:
        description: dict[str, Any] = {"TableArn": TABLE_ARN}
        if self.view_type:
            description["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": self.view_type}
            description["LatestStreamArn"] = f"{TABLE_ARN}/stream/{self.streams_enabled}"
        return description

    def create_table(self, **request: Any) -> dict[str, Any]:
        self.created.append(request)
        self.exists = True
        self.view_type = request.get("StreamSpecification", {}).get("StreamViewType")
        self.streams_enabled += 1 if self.view_type else 0
        return {"TableDescription": self._description()}

    def update_table(self, TableName: str, StreamSpecification: dict[str, Any]) -> None:  # noqa: N803
        assert not (self.view_type and StreamSpecification["StreamEnabled"]), "the stream is already enabled"
        self.stream_updates.append(StreamSpecification)
        self.view_type = StreamSpecification.get("StreamViewType")
        self.streams_enabled += 1 if self.view_type else 0

    def get_waiter(self, name: str) -> FakeStreamedTable:
        assert name == "table_exists"
        return self

    def wait(self, **_: Any) -> None:
        pass

    def describe_time_to_live(self, TableName: str) -> dict[str, Any]:  # noqa: N803
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}


def test_a_stream_declared_on_an_existing_table_is_enabled_and_its_arn_returned() -> None:
    # Given a table without a stream, declared with one
    dynamodb = FakeStreamedTable(view_type=None)

    # When it is deployed
    deployed = ensure_table(dynamodb, "pizza-orders", Table(hash_key="orderId", stream_view_type="NEW_IMAGE"))

    # Then its stream is enabled with the declared view type, and the new stream's ARN returned
    assert dynamodb.stream_updates == [{"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}]
    assert deployed == DeployedTable(arn=TABLE_ARN, stream_arn=f"{TABLE_ARN}/stream/1")


def test_a_stream_as_declared_is_left_alone_on_redeploy() -> None:
    # Given a table whose stream is as declared / When it is deployed again
    dynamodb = FakeStreamedTable(view_type="NEW_IMAGE")
    deployed = ensure_table(dynamodb, "pizza-orders", Table(hash_key="orderId", stream_view_type="NEW_IMAGE"))

    # Then the stream is untouched, and the same stream is returned
    assert dynamodb.stream_updates == []
    assert deployed.stream_arn == f"{TABLE_ARN}/stream/1"


def test_a_changed_view_type_replaces_the_stream_by_disabling_it_first() -> None:
    # Given a stream of old and new images, declared as new images only
    dynamodb = FakeStreamedTable(view_type="NEW_AND_OLD_IMAGES")

    # When the table is deployed
    deployed = ensure_table(dynamodb, "pizza-orders", Table(hash_key="orderId", stream_view_type="NEW_IMAGE"))

    # Then the old stream is disabled, a new one enabled with the declared view type, and that one returned
    assert dynamodb.stream_updates == [
        {"StreamEnabled": False},
        {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    ]
    assert deployed.stream_arn == f"{TABLE_ARN}/stream/2"


def test_a_stream_removed_from_the_declaration_is_disabled() -> None:
    # Given a streamed table declared without a stream / When deployed
    dynamodb = FakeStreamedTable(view_type="NEW_AND_OLD_IMAGES")
    deployed = ensure_table(dynamodb, "pizza-kitchen-orders", Table(hash_key="orderId"))

    # Then its stream is turned off, and no stream is returned
    assert dynamodb.stream_updates == [{"StreamEnabled": False}]
    assert deployed.stream_arn is None


def test_a_new_table_gets_a_stream_only_when_declared_with_one() -> None:
    # Given two tables not yet created, one declared with a stream
    streamed, plain = FakeStreamedTable(exists=False), FakeStreamedTable(exists=False)

    # When both are deployed
    ensure_table(streamed, "pizza-orders", Table(hash_key="orderId", stream_view_type="NEW_IMAGE"))
    ensure_table(plain, "pizza-kitchen-orders", Table(hash_key="orderId"))

    # Then only the first is created with a stream, and neither needed an update afterwards
    assert streamed.created[0]["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert "StreamSpecification" not in plain.created[0]
    assert streamed.stream_updates == plain.stream_updates == []


class FakeLambda:
    """Event source mappings of one function; records creations, updates and deletions."""

    def __init__(self, mappings: list[tuple[str, str]]) -> None:
        self.mappings = [{"UUID": uuid, "EventSourceArn": arn} for uuid, arn in mappings]
        self.created: list[dict[str, Any]] = []
        self.updated: list[dict[str, Any]] = []
        self.deleted: list[str] = []

    def get_paginator(self, name: str) -> FakeLambda:
        assert name == "list_event_source_mappings"
        return self

    def paginate(self, FunctionName: str) -> list[dict[str, Any]]:  # noqa: N803
        return [{"EventSourceMappings": list(self.mappings)}]

    def create_event_source_mapping(self, **request: Any) -> dict[str, Any]:
        self.created.append(request)
        uuid = f"created-{len(self.created)}"
        self.mappings.append({"UUID": uuid, "EventSourceArn": request["EventSourceArn"]})
        return {"UUID": uuid}

    def update_event_source_mapping(self, **request: Any) -> None:
        self.updated.append(request)

    def delete_event_source_mapping(self, UUID: str) -> None:  # noqa: N803
        self.deleted.append(UUID)
        self.mappings = [m for m in self.mappings if m["UUID"] != UUID]


STREAM = f"{TABLE_ARN}/stream/2026-11-28T10:00:00.000"
OUTBOX_FAILURES = "arn:aws:sqs:us-east-1:000000000000:pizza-order-outbox-failures"


def _outbox_trigger() -> StreamTrigger:
    """The declared outbox relay's trigger (the orders table's stream triggers the broadcaster too)."""
    [trigger] = [t for t in load_system().stream_triggers if t.function == "order-outbox-publisher"]
    return trigger


def _ensure(lambda_client: FakeLambda, trigger: StreamTrigger, on_failure: str | None = OUTBOX_FAILURES) -> str:
    return ensure_stream_trigger(lambda_client, "pizza-order-outbox-publisher", TABLE_ARN, STREAM, trigger, on_failure)


def test_a_stream_trigger_is_created_once_and_updated_in_place_on_redeploy() -> None:
    # Given the declared outbox trigger and a function with no mapping yet
    trigger = _outbox_trigger()
    lambda_client = FakeLambda(mappings=[])

    # When it is deployed twice
    first = _ensure(lambda_client, trigger)
    second = _ensure(lambda_client, trigger)

    # Then one mapping was created, on the current stream, from the declared starting position
    [created] = lambda_client.created
    assert (created["EventSourceArn"], created["StartingPosition"]) == (STREAM, "TRIM_HORIZON")
    assert created["FilterCriteria"] == trigger.filter_criteria()
    assert created["DestinationConfig"] == {"OnFailure": {"Destination": OUTBOX_FAILURES}}
    assert (created["BisectBatchOnFunctionError"], created["MaximumRetryAttempts"]) == (True, -1)
    assert created["MaximumRecordAgeInSeconds"] == -1
    # And the second deploy updated that mapping with the same settings (no starting position: it is fixed)
    [updated] = lambda_client.updated
    assert first == second == updated["UUID"]
    assert {k: v for k, v in created.items() if k not in ("FunctionName", "EventSourceArn", "StartingPosition")} == {
        k: v for k, v in updated.items() if k != "UUID"
    }
    assert lambda_client.deleted == []


def test_a_mapping_on_an_earlier_stream_of_the_table_is_replaced_by_one_on_the_current_stream() -> None:
    # Given the function mapped to a stream the table had before its view type changed, and to a queue
    old_stream = f"{TABLE_ARN}/stream/2026-01-01T00:00:00.000"
    queue = "arn:aws:sqs:us-east-1:000000000000:pizza-kitchen-orders"
    lambda_client = FakeLambda(mappings=[("old", old_stream), ("queue", queue)])

    # When the trigger is deployed
    trigger = _outbox_trigger()
    _ensure(lambda_client, trigger)

    # Then the stale mapping is deleted, one is created on the current stream, and the queue's is kept
    assert lambda_client.deleted == ["old"]
    assert [m["EventSourceArn"] for m in lambda_client.mappings] == [queue, STREAM]


def test_filters_and_failure_destination_removed_from_the_declaration_are_cleared() -> None:
    # Given a trigger declared without filters or a failure queue
    trigger = StreamTrigger(function="order-outbox-publisher", table="orders")

    # When it is created, then deployed again
    lambda_client = FakeLambda(mappings=[])
    _ensure(lambda_client, trigger, on_failure=None)
    _ensure(lambda_client, trigger, on_failure=None)

    # Then creation names neither, and the update clears whatever the mapping had
    assert "FilterCriteria" not in lambda_client.created[0]
    assert "DestinationConfig" not in lambda_client.created[0]
    [updated] = lambda_client.updated
    assert (updated["FilterCriteria"], updated["DestinationConfig"]) == ({}, {"OnFailure": {}})


class FakeCloudWatch:
    """Metric alarms by name; records which alarms are deleted."""

    def __init__(self) -> None:
        self.alarms: dict[str, dict[str, Any]] = {}
        self.deleted: list[str] = []

    def put_metric_alarm(self, AlarmName: str, **alarm: Any) -> None:  # noqa: N803
        self.alarms[AlarmName] = alarm

    def describe_alarms(self, AlarmNames: list[str]) -> dict[str, Any]:  # noqa: N803
        return {"MetricAlarms": [{"AlarmName": n, **self.alarms[n]} for n in AlarmNames if n in self.alarms]}

    def delete_alarms(self, AlarmNames: list[str]) -> None:  # noqa: N803
        for name in AlarmNames:
            del self.alarms[name]
            self.deleted.append(name)


RELAY_AGE = "pizza-order-outbox-publisher-IteratorAge"


def test_an_iterator_age_alarm_watches_how_far_behind_its_stream_the_function_reads() -> None:
    # Given no alarms yet
    cloudwatch = FakeCloudWatch()

    # When the relay's iterator-age alarm is converged to 300 000 ms
    converge_alarm(cloudwatch, iterator_age("pizza-order-outbox-publisher"), 300_000, "ms behind its stream")

    # Then one alarm, named like the queue alarms, fires when a minute's maximum exceeds the threshold
    assert cloudwatch.alarms[RELAY_AGE] == {
        "AlarmDescription": "pizza-order-outbox-publisher: IteratorAge above 300000 ms behind its stream",
        "Namespace": "AWS/Lambda",
        "MetricName": "IteratorAge",
        "Dimensions": [{"Name": "FunctionName", "Value": "pizza-order-outbox-publisher"}],
        "Statistic": "Maximum",
        "Period": 60,
        "EvaluationPeriods": 1,
        "Threshold": 300_000,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
    }


def test_an_alarm_follows_a_changed_threshold_and_goes_when_the_declaration_drops_it() -> None:
    # Given a queue's age alarm at 300 s
    cloudwatch = FakeCloudWatch()
    watched = queue_metric("pizza-kitchen-orders", "ApproximateAgeOfOldestMessage")
    converge_alarm(cloudwatch, watched, 300, "s old")

    # When it is deployed with 600 s / Then the same alarm has the new threshold
    converge_alarm(cloudwatch, watched, 600, "s old")
    assert list(cloudwatch.alarms) == ["pizza-kitchen-orders-ApproximateAgeOfOldestMessage"]
    assert cloudwatch.alarms[watched.alarm_name]["Threshold"] == 600

    # And when deployed without one, twice / Then it is deleted once, and nothing else is
    converge_alarm(cloudwatch, watched, None, "s old")
    converge_alarm(cloudwatch, watched, None, "s old")
    assert (cloudwatch.alarms, cloudwatch.deleted) == ({}, [watched.alarm_name])


class FakeIndexedTable:
    """A table (or none yet) with global secondary indexes, by name and status.

    A new index backfills (CREATING) for a few reads of the table's description, while the table
    itself is ACTIVE again; meanwhile another index creation is refused, as DynamoDB refuses it.
    """

    def __init__(self, indexes: tuple[str, ...] = (), *, exists: bool = True, backfill_reads: int = 2) -> None:
        self.exists = exists
        self.indexes = dict.fromkeys(indexes, "ACTIVE")
        self.backfill_reads = backfill_reads
        self._reads_left: dict[str, int] = {}
        self.created: list[dict[str, Any]] = []
        self.index_updates: list[dict[str, Any]] = []

    def describe_table(self, TableName: str) -> dict[str, Any]:  # noqa: N803
        if not self.exists:
            raise ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "DescribeTable")
        for name in list(self._reads_left):
            self._reads_left[name] -= 1
            if not self._reads_left[name]:
                del self._reads_left[name]
                self.indexes[name] = "ACTIVE"
        return {"Table": self._description()}

    def _description(self) -> dict[str, Any]:
        gsis = [{"IndexName": name, "IndexStatus": status} for name, status in self.indexes.items()]
        return {"TableArn": TABLE_ARN, "TableStatus": "ACTIVE", "GlobalSecondaryIndexes": gsis}

    def create_table(self, **request: Any) -> dict[str, Any]:
        self.created.append(request)
        self.exists = True
        self.indexes = {index["IndexName"]: "ACTIVE" for index in request.get("GlobalSecondaryIndexes", [])}
        return {"TableDescription": self._description()}

    def update_table(self, **request: Any) -> None:
        if "CREATING" in self.indexes.values():
            raise ClientError({"Error": {"Code": "LimitExceededException"}}, "UpdateTable")
        self.index_updates.append(request)
        [update] = request["GlobalSecondaryIndexUpdates"]
        name = update["Create"]["IndexName"]
        self.indexes[name] = "CREATING"
        self._reads_left[name] = self.backfill_reads

    def get_waiter(self, name: str) -> FakeIndexedTable:
        assert name == "table_exists"
        return self

    def wait(self, **_: Any) -> None:
        pass

    def describe_time_to_live(self, TableName: str) -> dict[str, Any]:  # noqa: N803
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}


def _by_customer(**more: str) -> Table:
    indexes = {"by-customer": TableIndex(hash_key="customerId")}
    indexes.update({name: TableIndex(hash_key=key) for name, key in more.items()})
    return Table(hash_key="connectionId", indexes=indexes)


def _gsi(name: str, key: str) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
    }


def test_a_new_table_is_created_with_its_declared_indexes_and_each_index_key_defined() -> None:
    # Given no table yet, declared with an index by customer
    dynamodb = FakeIndexedTable(exists=False)

    # When it is deployed
    ensure_table(dynamodb, "pizza-order-update-connections", _by_customer())

    # Then it is created with the index, projecting whole items, and both keys defined as strings
    [created] = dynamodb.created
    assert created["GlobalSecondaryIndexes"] == [_gsi("by-customer", "customerId")]
    assert created["AttributeDefinitions"] == [
        {"AttributeName": "connectionId", "AttributeType": "S"},
        {"AttributeName": "customerId", "AttributeType": "S"},
    ]
    # And nothing is added afterwards
    assert dynamodb.index_updates == []


def test_a_table_without_indexes_is_created_without_any() -> None:
    # Given no table yet, declared without indexes / When it is deployed
    dynamodb = FakeIndexedTable(exists=False)
    ensure_table(dynamodb, "pizza-orders", Table(hash_key="orderId"))

    # Then it names no index, and only its key
    assert "GlobalSecondaryIndexes" not in dynamodb.created[0]
    assert dynamodb.created[0]["AttributeDefinitions"] == [{"AttributeName": "orderId", "AttributeType": "S"}]


def test_indexes_declared_after_the_table_was_created_are_added_one_at_a_time(monkeypatch: Any) -> None:
    # Given an existing table with its index by customer, declared with two more
    monkeypatch.setattr(tables, "_INDEX_POLL_SECONDS", 0)
    dynamodb = FakeIndexedTable(indexes=("by-customer",))

    # When it is deployed
    ensure_table(
        dynamodb, "pizza-order-update-connections", _by_customer(**{"by-order": "orderId", "by-store": "storeId"})
    )

    # Then each missing index is created in its own update, the next one only once the first has
    # backfilled (the fake refuses a second creation meanwhile, as DynamoDB does), every key defined
    assert [u["GlobalSecondaryIndexUpdates"] for u in dynamodb.index_updates] == [
        [{"Create": _gsi("by-order", "orderId")}],
        [{"Create": _gsi("by-store", "storeId")}],
    ]
    assert {a["AttributeName"] for a in dynamodb.index_updates[0]["AttributeDefinitions"]} == {
        "connectionId",
        "customerId",
        "orderId",
        "storeId",
    }
    # And the deploy returns with every index usable
    assert set(dynamodb.indexes.values()) == {"ACTIVE"}

    # And when it is deployed again / Then nothing is added
    ensure_table(
        dynamodb, "pizza-order-update-connections", _by_customer(**{"by-order": "orderId", "by-store": "storeId"})
    )
    assert len(dynamodb.index_updates) == 2


class FakeKms:
    """One key behind an alias (or none yet); records every call that creates or changes something."""

    def __init__(self, existing: dict[str, Any] | None = None) -> None:
        self.key = existing
        self.changes: list[tuple[str, dict[str, Any]]] = []

    def describe_key(self, KeyId: str) -> dict[str, Any]:  # noqa: N803
        if self.key is None:
            raise ClientError({"Error": {"Code": "NotFoundException"}}, "DescribeKey")
        return {"KeyMetadata": self.key}

    def create_key(self, **request: Any) -> dict[str, Any]:
        self.changes.append(("create_key", request))
        self.key = {
            "KeyId": "k-1",
            "Arn": "arn:aws:kms:us-east-1:000000000000:key/k-1",
            "Description": request["Description"],
            "KeyUsage": request["KeyUsage"],
            "KeySpec": request["KeySpec"],
        }
        return {"KeyMetadata": self.key}

    def create_alias(self, **request: Any) -> None:
        self.changes.append(("create_alias", request))

    def update_key_description(self, **request: Any) -> None:
        self.changes.append(("update_key_description", request))

    def enable_key_rotation(self, **request: Any) -> None:
        self.changes.append(("enable_key_rotation", request))


WATCH_TOKENS_ALIAS = "alias/pizza-watch-tokens"


def test_an_hmac_key_is_created_for_mac_with_its_spec_and_never_rotated() -> None:
    # Given no key behind the alias yet
    kms = FakeKms()

    # When the HMAC key is deployed, twice
    arn = ensure_key(kms, WATCH_TOKENS_ALIAS, "Watch tokens", "hmac")
    ensure_key(kms, WATCH_TOKENS_ALIAS, "Watch tokens", "hmac")

    # Then one HMAC-SHA-256 key for making and checking MACs was created, and found by its alias
    assert kms.changes == [
        ("create_key", {"Description": "Watch tokens", "KeyUsage": "GENERATE_VERIFY_MAC", "KeySpec": "HMAC_256"}),
        ("create_alias", {"AliasName": WATCH_TOKENS_ALIAS, "TargetKeyId": "k-1"}),
    ]
    # And rotation was never asked for (KMS rotates no HMAC key), and its ARN returned
    assert arn == "arn:aws:kms:us-east-1:000000000000:key/k-1"


def test_a_symmetric_key_is_created_for_encryption_and_rotated() -> None:
    # Given no key behind the alias yet / When a key of the default usage is deployed
    kms = FakeKms()
    ensure_key(kms, "alias/pizza-order-pii", "Delivery addresses")

    # Then a symmetric encryption key is created, and its yearly rotation enabled
    assert [name for name, _ in kms.changes] == ["create_key", "create_alias", "enable_key_rotation"]
    created = kms.changes[0][1]
    assert (created["KeyUsage"], created["KeySpec"]) == ("ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT")


def test_a_key_of_another_usage_behind_the_alias_is_refused_before_anything_changes() -> None:
    # Given a symmetric key behind the alias the HMAC key is declared with, with another description
    existing = {"KeyId": "k-0", "Arn": "arn:k-0", "Description": "old", "KeyUsage": "ENCRYPT_DECRYPT"}
    kms = FakeKms(existing)

    # When the HMAC key is deployed / Then it is refused, naming both usages, and nothing is changed
    with pytest.raises(ValueError, match="is a key for ENCRYPT_DECRYPT, declared for GENERATE_VERIFY_MAC"):
        ensure_key(kms, WATCH_TOKENS_ALIAS, "Watch tokens", "hmac")
    assert kms.changes == []


class FakeApiGateway:
    """WebSocket APIs with their stages, integrations and routes; records what is created or changed."""

    def __init__(self) -> None:
        self.apis: list[dict[str, Any]] = []
        self.stages: list[dict[str, Any]] = []
        self.integrations: list[dict[str, Any]] = []
        self.routes: list[dict[str, Any]] = []
        self.route_updates: list[dict[str, Any]] = []

    def get_apis(self) -> dict[str, Any]:
        return {"Items": list(self.apis)}

    def create_api(self, **request: Any) -> dict[str, Any]:
        api_id = "a1b2c3"
        api = {**request, "ApiId": api_id, "ApiEndpoint": f"wss://{api_id}.execute-api.us-east-1.amazonaws.com"}
        self.apis.append(api)
        return api

    def get_stages(self, ApiId: str) -> dict[str, Any]:  # noqa: N803
        return {"Items": list(self.stages)}

    def create_stage(self, **request: Any) -> None:
        self.stages.append(request)

    def get_integrations(self, ApiId: str) -> dict[str, Any]:  # noqa: N803
        return {"Items": list(self.integrations)}

    def create_integration(self, **request: Any) -> dict[str, Any]:
        integration = {**request, "IntegrationId": f"int-{len(self.integrations) + 1}"}
        self.integrations.append(integration)
        return integration

    def get_routes(self, ApiId: str) -> dict[str, Any]:  # noqa: N803
        return {"Items": list(self.routes)}

    def create_route(self, **request: Any) -> None:
        self.routes.append({**request, "RouteId": f"route-{len(self.routes) + 1}"})

    def update_route(self, ApiId: str, RouteId: str, Target: str) -> None:  # noqa: N803
        self.route_updates.append({"RouteId": RouteId, "Target": Target})
        [route] = [r for r in self.routes if r["RouteId"] == RouteId]
        route["Target"] = Target


class FakeLambdaPermissions:
    """A function's resource policy statements, by statement id; a repeated id conflicts, as in Lambda."""

    def __init__(self) -> None:
        self.statements: dict[str, dict[str, Any]] = {}

    def add_permission(self, StatementId: str, **statement: Any) -> None:  # noqa: N803
        key = f"{statement['FunctionName']}/{StatementId}"
        if key in self.statements:
            raise ClientError({"Error": {"Code": "ResourceConflictException"}}, "AddPermission")
        self.statements[key] = statement


def test_a_websocket_api_on_an_emulator_is_reached_under_the_emulators_own_address() -> None:
    # Given no API yet
    apigw = FakeApiGateway()

    # When the order-updates API is deployed to an emulator, twice
    first = ensure_websocket_api(apigw, "pizza-order-updates", "http://localhost:4566/")
    second = ensure_websocket_api(apigw, "pizza-order-updates", "http://localhost:4566/")

    # Then one WebSocket API routing by the message's action, with one auto-deployed stage, live
    [api] = apigw.apis
    assert (api["Name"], api["ProtocolType"], api["RouteSelectionExpression"]) == (
        "pizza-order-updates",
        "WEBSOCKET",
        "$request.body.action",
    )
    assert apigw.stages == [{"ApiId": "a1b2c3", "StageName": "live", "AutoDeploy": True}]
    # And clients connect with ws:// under /_aws/execute-api/<id>/live, where functions post too
    assert (
        first
        == second
        == DeployedWebSocketApi(
            api_id="a1b2c3",
            url="ws://localhost:4566/_aws/execute-api/a1b2c3/live",
            management_url="http://localhost:4566/_aws/execute-api/a1b2c3/live",
        )
    )


def test_a_websocket_api_on_aws_is_reached_over_wss_and_managed_over_https() -> None:
    # Given no API yet / When it is deployed to AWS (no endpoint)
    deployed = ensure_websocket_api(FakeApiGateway(), "pizza-order-updates", None)

    # Then clients connect to the stage over wss, and functions post to it over https
    assert deployed.url == "wss://a1b2c3.execute-api.us-east-1.amazonaws.com/live"
    assert deployed.management_url == "https://a1b2c3.execute-api.us-east-1.amazonaws.com/live"


CONNECTIONS_FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:pizza-order-updates-connections"
BROADCASTER_FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:pizza-order-updates-broadcaster"


def _invocation_uri(function_arn: str) -> str:
    return f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def test_websocket_routes_share_one_proxy_integration_per_function_and_are_created_once() -> None:
    # Given the API, and $connect and $disconnect both routed to the connection handler
    apigw, lambda_client = FakeApiGateway(), FakeLambdaPermissions()
    routes = {"$connect": CONNECTIONS_FUNCTION, "$disconnect": CONNECTIONS_FUNCTION}

    # When the routes are deployed, twice
    ensure_websocket_routes(apigw, lambda_client, "a1b2c3", routes, "us-east-1")
    ensure_websocket_routes(apigw, lambda_client, "a1b2c3", routes, "us-east-1")

    # Then one Lambda proxy integration invokes the function by its invocation URI (a WebSocket API
    # refuses a plain function ARN), with POST
    [integration] = apigw.integrations
    assert {k: v for k, v in integration.items() if k != "IntegrationId"} == {
        "ApiId": "a1b2c3",
        "IntegrationType": "AWS_PROXY",
        "IntegrationMethod": "POST",
        "IntegrationUri": _invocation_uri(CONNECTIONS_FUNCTION),
    }
    # And each route key was created once, targeting it
    assert [(r["RouteKey"], r["Target"]) for r in apigw.routes] == [
        ("$connect", "integrations/int-1"),
        ("$disconnect", "integrations/int-1"),
    ]
    # And the API, and only this API, may invoke the function
    assert list(lambda_client.statements.values()) == [
        {
            "FunctionName": CONNECTIONS_FUNCTION,
            "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": "arn:aws:execute-api:us-east-1:000000000000:a1b2c3/*",
        }
    ]


def test_a_route_given_to_another_function_is_pointed_at_it() -> None:
    # Given $disconnect routed to the connection handler
    apigw, lambda_client = FakeApiGateway(), FakeLambdaPermissions()
    ensure_websocket_routes(apigw, lambda_client, "a1b2c3", {"$disconnect": CONNECTIONS_FUNCTION}, "us-east-1")

    # When the declaration routes it to the broadcaster instead
    ensure_websocket_routes(apigw, lambda_client, "a1b2c3", {"$disconnect": BROADCASTER_FUNCTION}, "us-east-1")

    # Then the same route now targets a new integration of that function, which the API may invoke
    assert apigw.route_updates == [{"RouteId": "route-1", "Target": "integrations/int-2"}]
    assert apigw.integrations[1]["IntegrationUri"] == _invocation_uri(BROADCASTER_FUNCTION)
    assert {s["FunctionName"] for s in lambda_client.statements.values()} == {
        CONNECTIONS_FUNCTION,
        BROADCASTER_FUNCTION,
    }
