"""Redeploying converges: TTL is set only when it differs, a subscribed queue is not subscribed again."""

from __future__ import annotations

from typing import Any

from pizza_ops.deploy.pubsub import PubSubDeployer
from pizza_ops.deploy.tables import ensure_table
from pizza_ops.system import Table, load_system


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
