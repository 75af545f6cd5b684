"""Redeploying converges: TTL and streams are changed only when they differ, a subscribed queue is not
subscribed again, a stream trigger keeps one mapping, on the table's current stream, and an alarm
follows its declared threshold."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pizza_ops.deploy.alarms import converge_alarm, iterator_age, queue_metric
from pizza_ops.deploy.pubsub import PubSubDeployer
from pizza_ops.deploy.stream_triggers import ensure_stream_trigger
from pizza_ops.deploy.tables import DeployedTable, ensure_table
from pizza_ops.system import StreamTrigger, Table, load_system

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


def _ensure(lambda_client: FakeLambda, trigger: StreamTrigger, on_failure: str | None = OUTBOX_FAILURES) -> str:
    return ensure_stream_trigger(lambda_client, "pizza-order-outbox-publisher", TABLE_ARN, STREAM, trigger, on_failure)


def test_a_stream_trigger_is_created_once_and_updated_in_place_on_redeploy() -> None:
    # Given the declared outbox trigger and a function with no mapping yet
    [trigger] = load_system().stream_triggers
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
    [trigger] = load_system().stream_triggers
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
