"""Publish/subscribe: SNS topics with raw subscriptions, EventBridge buses with rules, and the queue
policies that let both deliver.

With IAM enforced, SNS and EventBridge may send to a queue only if the queue's own policy allows
that topic or rule (by aws:SourceArn), so the policies are written before anything is subscribed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from pizza_ops.deploy import iam
from pizza_ops.system import SystemDeclaration

# Each rule has exactly one target; a fixed id means a changed queue replaces it instead of adding one.
RULE_TARGET_ID = "queue"


@dataclass(frozen=True)
class DeployedPubSub:
    topic_arns: dict[str, str] = field(default_factory=dict)
    bus_arns: dict[str, str] = field(default_factory=dict)
    rule_arns: dict[str, str] = field(default_factory=dict)


class PubSubDeployer:
    def __init__(self, system: SystemDeclaration, sns: Any, events: Any, sqs: Any) -> None:
        self._system = system
        self._sns = sns
        self._events = events
        self._sqs = sqs

    def deploy(self, queue_urls: dict[str, str], queue_arns: dict[str, str]) -> DeployedPubSub:
        """Converge topics, buses and rules, then queue policies, then subscriptions and targets."""
        physical = self._system.physical_name
        topic_arns = {name: self._sns.create_topic(Name=physical(name))["TopicArn"] for name in self._system.topics}
        bus_arns = {name: self._ensure_bus(physical(name)) for name in self._system.event_buses}
        rule_arns = {
            name: self._events.put_rule(
                Name=physical(name),
                EventBusName=physical(bus),
                EventPattern=json.dumps(rule.event_pattern()),
                State="ENABLED",
            )["RuleArn"]
            for name, (bus, rule) in self._system.rules().items()
        }
        for queue, senders in self._system.queue_senders().items():
            policy = iam.queue_delivery_policy(
                queue_arns[queue], [topic_arns[t] for t in senders.topics], [rule_arns[r] for r in senders.rules]
            )
            self._sqs.set_queue_attributes(QueueUrl=queue_urls[queue], Attributes={"Policy": json.dumps(policy)})
        for name, topic in self._system.topics.items():
            self.converge_subscriptions(topic_arns[name], [queue_arns[q] for q in topic.subscribers])
        for name, (bus, rule) in self._system.rules().items():
            self._events.put_targets(
                Rule=physical(name),
                EventBusName=physical(bus),
                Targets=[{"Id": RULE_TARGET_ID, "Arn": queue_arns[rule.queue]}],
            )
        return DeployedPubSub(topic_arns=topic_arns, bus_arns=bus_arns, rule_arns=rule_arns)

    def _ensure_bus(self, physical: str) -> str:
        try:
            return str(self._events.create_event_bus(Name=physical)["EventBusArn"])
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceAlreadyExistsException":
                raise
            return str(self._events.describe_event_bus(Name=physical)["Arn"])

    def converge_subscriptions(self, topic_arn: str, queue_arns: list[str]) -> None:
        """One raw-delivery subscription per queue: existing ones are kept (and made raw), none is duplicated."""
        existing = {
            s["Endpoint"]: s["SubscriptionArn"]
            for page in self._sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn)
            for s in page["Subscriptions"]
            if s["Protocol"] == "sqs"
        }
        for queue_arn in queue_arns:
            if queue_arn in existing:
                self._sns.set_subscription_attributes(
                    SubscriptionArn=existing[queue_arn], AttributeName="RawMessageDelivery", AttributeValue="true"
                )
            else:
                self._sns.subscribe(
                    TopicArn=topic_arn,
                    Protocol="sqs",
                    Endpoint=queue_arn,
                    Attributes={"RawMessageDelivery": "true"},
                    ReturnSubscriptionArn=True,
                )
