"""infra/terraform declares the declaration's keys, topics, buses, queue policies and schedule groups
exactly, with the same least-privilege grants and environment references as the embedded deployer.

The drift check (pizza_ops.terraform_drift) is run on changed declarations and changed Terraform
to prove it reports each kind of difference; the building blocks' fixed settings are checked here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from drift_support import (
    assert_reported_when_declaration_changes,
    assert_reported_when_terraform_changes,
    with_module_added,
    with_module_changed,
    without_module,
)

from pizza_ops.deploy import iam
from pizza_ops.deploy.kms import KEY_KINDS
from pizza_ops.deploy.pubsub import RULE_TARGET_ID
from pizza_ops.system import (
    BusRef,
    KmsKey,
    Permission,
    SystemDeclaration,
    TopicRef,
    load_system,
)
from pizza_ops.terraform_drift import EXPECTED_ACTIONS, Terraform, building_block

PUBLISHER = "order-outbox-publisher"  # sends order events and schedules kitchen alerts
ENCRYPTER = "order-acknowledgement-processor"  # encrypts delivery addresses into those events


def _with_function(system: SystemDeclaration, name: str, **changes: Any) -> SystemDeclaration:
    function = system.functions[name].model_copy(update=changes)
    return system.model_copy(update={"functions": {**system.functions, name: function}})


def _with_extra_key(system: SystemDeclaration) -> SystemDeclaration:
    return system.model_copy(update={"kms_keys": {**system.kms_keys, "card-tokens": KmsKey(description="x")}})


def _without_analytics_subscriber(system: SystemDeclaration) -> SystemDeclaration:
    topic = system.topics["order-events"]
    fewer = topic.model_copy(update={"subscribers": [q for q in topic.subscribers if q != "analytics-order-events"]})
    return system.model_copy(update={"topics": {"order-events": fewer}})


def _with_rule_change(**changes: str) -> Callable[[SystemDeclaration], SystemDeclaration]:
    def change(system: SystemDeclaration) -> SystemDeclaration:
        bus = system.event_buses["order-events"]
        rule = bus.rules["order-confirmed-to-loyalty"].model_copy(update=changes)
        rules = {**bus.rules, "order-confirmed-to-loyalty": rule}
        return system.model_copy(update={"event_buses": {"order-events": bus.model_copy(update={"rules": rules})}})

    return change


def _with_schedule_target(system: SystemDeclaration) -> SystemDeclaration:
    group = system.schedule_groups["kitchen-alerts"].model_copy(update={"target_queue": "kitchen-orders"})
    return system.model_copy(update={"schedule_groups": {"kitchen-alerts": group}})


def _with_inbox_ttl_renamed(system: SystemDeclaration) -> SystemDeclaration:
    table = system.tables["loyalty-inbox"].model_copy(update={"ttl_attribute": "expiresAt"})
    return system.model_copy(update={"tables": {**system.tables, "loyalty-inbox": table}})


def _without_encrypt(system: SystemDeclaration) -> SystemDeclaration:
    permissions = [p for p in system.functions[ENCRYPTER].permissions if p.kind != "key"]
    return _with_function(system, ENCRYPTER, permissions=permissions)


def _with_decrypt(system: SystemDeclaration) -> SystemDeclaration:
    extra = Permission(key="order-pii", access="decrypt")
    return _with_function(system, ENCRYPTER, permissions=[*system.functions[ENCRYPTER].permissions, extra])


def _with_bus_arn_instead_of_name(system: SystemDeclaration) -> SystemDeclaration:
    environment = {**system.functions[PUBLISHER].environment, "ORDER_EVENTS_BUS_NAME": TopicRef(topic="order-events")}
    return _with_function(system, PUBLISHER, environment=environment)


def _with_bus_for_a_topic(system: SystemDeclaration) -> SystemDeclaration:
    environment = {**system.functions[PUBLISHER].environment, "ORDER_EVENTS_TOPIC_ARN": BusRef(bus="order-events")}
    return _with_function(system, PUBLISHER, environment=environment)


def _with_kitchen_alerts_subscribed(system: SystemDeclaration) -> SystemDeclaration:
    topic = system.topics["order-events"]
    more = topic.model_copy(update={"subscribers": [*topic.subscribers, "kitchen-alerts"]})
    return system.model_copy(update={"topics": {"order-events": more}})


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (_with_extra_key, "KMS key 'card-tokens' is declared but has no Terraform module"),
        (_without_analytics_subscriber, "topic 'order-events': subscriber 'analytics-order-events' is in Terraform"),
        (
            _with_rule_change(detail_type_prefix="com.pizza.order."),
            "rule 'order-confirmed-to-loyalty': detail_type_prefix",
        ),
        (
            _with_rule_change(source="pizza.kitchen"),
            "rule 'order-confirmed-to-loyalty': source is 'pizza.order-service'",
        ),
        (
            _with_rule_change(queue="delivery-order-events"),
            "rule 'order-confirmed-to-loyalty': queue_arn is ('queue', 'loyalty",
        ),
        (
            _with_rule_change(queue="delivery-order-events"),
            "queue 'delivery-order-events': the rule list of its policy is "
            "[('rule', 'order-confirmed-to-delivery', 'arn')] in Terraform",
        ),
        (
            _with_schedule_target,
            "schedule group 'kitchen-alerts': target_queue_arn is ('queue', 'kitchen-alerts', 'arn')",
        ),
        (_with_inbox_ttl_renamed, "table 'loyalty-inbox': ttl_attribute is 'expiration' in Terraform but 'expiresAt'"),
        (_without_encrypt, "Terraform grants ('key', 'order-pii', 'encrypt'), which is not declared"),
        (_with_decrypt, "declared permission ('key', 'order-pii', 'decrypt') is not granted"),
        (
            _with_bus_arn_instead_of_name,
            "ORDER_EVENTS_BUS_NAME is ('bus', 'order-events', 'name') in Terraform but ('topic'",
        ),
        (_with_bus_for_a_topic, "ORDER_EVENTS_TOPIC_ARN is ('topic', 'order-events', 'arn') in Terraform but ('bus'"),
        (
            _with_kitchen_alerts_subscribed,
            "queue 'kitchen-alerts' is delivered to by a topic or rule but has no queue policy",
        ),
    ],
)
def test_drift_is_reported_when_the_pubsub_declaration_changes(
    change: Callable[[SystemDeclaration], SystemDeclaration], reported: str
) -> None:
    # Given a declaration changed without touching the Terraform / Then the change is reported
    assert_reported_when_declaration_changes(change, reported)


PUBLISHER_MODULE = "order_outbox_publisher_function"


def _publisher_statements(tf: Terraform, keep: Callable[[dict[str, Any]], bool]) -> Terraform:
    statements = tf.modules[PUBLISHER_MODULE]["policy_statements"]
    return with_module_changed(tf, PUBLISHER_MODULE, policy_statements=list(filter(keep, statements)))


def _publisher_statement_on(tf: Terraform, sid: str, resource: str) -> Terraform:
    statements = tf.modules[PUBLISHER_MODULE]["policy_statements"]
    changed = [{**s, "resources": [resource]} if s["sid"] == sid else s for s in statements]
    return with_module_changed(tf, PUBLISHER_MODULE, policy_statements=changed)


LOYALTY_RULE = "order_confirmed_to_loyalty_rule"


def _rule_to(tf: Terraform, queue_module: str) -> Terraform:
    return with_module_changed(tf, LOYALTY_RULE, queue_arn=f"${{module.{queue_module}.arn}}")


def _kitchen_alerts_subscribed(tf: Terraform, label: str = "kitchen_alerts_subscription") -> Terraform:
    return with_module_added(
        tf,
        label,
        source="./modules/topic_subscription",
        topic_arn="${module.order_events_topic.arn}",
        queue_arn="${module.kitchen_alerts_queue.arn}",
    )


@pytest.mark.parametrize(
    ("change", "reported"),
    [
        (
            lambda tf: _publisher_statements(tf, lambda s: s["actions"] != "${local.iam_pass_role_actions}"),
            "declared permission ('schedule_group', 'kitchen-alerts', 'create') (iam_pass_role_actions statement) "
            "is not granted",
        ),
        (
            lambda tf: _publisher_statement_on(
                tf, "KitchenAlertSchedulesManage", "${module.kitchen_alerts_schedule_group.arn}"
            ),
            "statement KitchenAlertSchedulesManage names '${module.kitchen_alerts_schedule_group.arn}', "
            "not the schedules_arn of one schedule_group",
        ),
        (
            _kitchen_alerts_subscribed,
            "topic 'order-events': subscriber 'kitchen-alerts' is in Terraform but not declared",
        ),
        (
            lambda tf: _kitchen_alerts_subscribed(tf, label="alerts_subscription"),
            "topic subscription 'alerts_subscription': should be labelled kitchen_alerts_subscription",
        ),
        (
            lambda tf: without_module(tf, "analytics_order_events_subscription"),
            "topic 'order-events': subscriber 'analytics-order-events' is declared but not in Terraform",
        ),
        (
            lambda tf: with_module_changed(
                tf, "analytics_order_events_subscription", queue_arn="${module.analytics_order_events_queue.url}"
            ),
            "topic subscription 'analytics_order_events_subscription': queue_arn is not the ARN of a queue module",
        ),
        (
            lambda tf: with_module_changed(
                tf, "analytics_order_events_subscription", topic_arn="${module.order_events_event_bus.arn}"
            ),
            "topic subscription 'analytics_order_events_subscription': topic_arn is not the ARN of a topic module",
        ),
        (
            lambda tf: without_module(tf, LOYALTY_RULE),
            "rule 'order-confirmed-to-loyalty' is declared but has no Terraform module",
        ),
        (
            lambda tf: with_module_changed(tf, LOYALTY_RULE, event_bus_name="${module.order_events_topic.name}"),
            "rule 'order-confirmed-to-loyalty': event_bus_name is ('topic', 'order-events', 'name') in Terraform",
        ),
        (
            lambda tf: with_module_changed(tf, LOYALTY_RULE, source_name="pizza.kitchen"),
            "rule 'order-confirmed-to-loyalty': source is 'pizza.kitchen' in Terraform",
        ),
        (
            lambda tf: with_module_changed(
                tf,
                "loyalty_order_events_queue_policy",
                sns_topic_arns=[],
                event_rule_arns=["${module.order_confirmed_to_delivery_rule.arn}"],
            ),
            "queue 'loyalty-order-events': the rule list of its policy is "
            "[('rule', 'order-confirmed-to-delivery', 'arn')] in Terraform",
        ),
        (
            lambda tf: with_module_changed(
                tf, "loyalty_order_events_queue_policy", queue_url="${module.kitchen_alerts_queue.url}"
            ),
            "queue_url is not the URL of queue 'loyalty-order-events'",
        ),
        (
            lambda tf: _rule_to(tf, "kitchen_alerts_queue"),
            "rule 'order-confirmed-to-loyalty': queue_arn is ('queue', 'k",
        ),
        (
            lambda tf: replace(tf, locals={**tf.locals, "kms_decrypt_actions": ["kms:Decrypt", "kms:GenerateDataKey"]}),
            "local kms_decrypt_actions is ['kms:Decrypt', 'kms:GenerateDataKey']; expected exactly ['kms:Decrypt']",
        ),
        (
            lambda tf: with_module_changed(tf, "order_pii_key", description="Anything"),
            "KMS key 'order-pii': description is 'Anything' in Terraform",
        ),
        (
            lambda tf: with_module_changed(tf, "loyalty_inbox_table", ttl_attribute=None),
            "table 'loyalty-inbox': ttl_attribute is None in Terraform but 'expiration' in the declaration",
        ),
    ],
)
def test_drift_is_reported_when_the_pubsub_terraform_changes(
    change: Callable[[Terraform], Terraform], reported: str
) -> None:
    # Given Terraform changed without touching the declaration / Then the change is reported
    assert_reported_when_terraform_changes(change, reported)


def test_the_new_access_levels_are_spelled_with_exactly_the_deployers_actions() -> None:
    # Given the locals for the new access levels / Then each is the deployer's action list
    assert EXPECTED_ACTIONS["kms_encrypt_actions"] == set(iam.KEY_ENCRYPT) == {"kms:Encrypt"}
    assert EXPECTED_ACTIONS["kms_decrypt_actions"] == set(iam.KEY_DECRYPT) == {"kms:Decrypt"}
    assert EXPECTED_ACTIONS["sns_publish_actions"] == {"sns:Publish"}
    assert EXPECTED_ACTIONS["events_put_actions"] == {"events:PutEvents"}
    assert EXPECTED_ACTIONS["scheduler_schedule_actions"] == set(iam.SCHEDULE_CREATE)
    assert EXPECTED_ACTIONS["iam_pass_role_actions"] == {"iam:PassRole"}


def test_topic_subscriptions_deliver_raw_messages_to_sqs() -> None:
    # Given the topic and topic subscription building blocks
    topic_module, subscription_module = building_block("sns_topic"), building_block("topic_subscription")
    subscription = subscription_module.resources[("aws_sns_topic_subscription", "this")]

    # Then a subscription delivers to its SQS queue with raw message delivery
    assert (subscription["protocol"], subscription["endpoint"]) == ("sqs", "${var.queue_arn}")
    assert subscription["raw_message_delivery"] is True
    assert subscription["topic_arn"] == "${var.topic_arn}"
    assert topic_module.resources[("aws_sns_topic", "this")]["name"] == "${var.name_prefix}-${var.name}"
    # And the topic itself subscribes nothing: each subscriber does, in its own file
    assert set(topic_module.resources) == {("aws_sns_topic", "this")}


def test_rules_match_source_and_detail_type_prefix_and_target_one_queue() -> None:
    # Given the event rule building block
    rule_module = building_block("event_rule")
    rule = rule_module.resources[("aws_cloudwatch_event_rule", "this")]
    target = rule_module.resources[("aws_cloudwatch_event_target", "queue")]

    # Then the rule matches its source and a detail-type prefix, on its bus, named like the deployer's
    assert rule["event_pattern"] == (
        '${jsonencode({source = [var.source_name], "detail-type" = [{prefix = var.detail_type_prefix}]})}'
    )
    assert rule["event_bus_name"] == "${var.event_bus_name}"
    assert rule["name"] == "${var.name_prefix}-${var.name}"
    # And sends to its queue as one target whose id is the deployer's
    assert (target["arn"], target["target_id"]) == ("${var.queue_arn}", RULE_TARGET_ID)
    assert (target["rule"], target["event_bus_name"]) == (
        "${aws_cloudwatch_event_rule.this.name}",
        "${var.event_bus_name}",
    )
    # And the bus itself holds no rule: each subscriber adds its own
    assert set(building_block("event_bus").resources) == {("aws_cloudwatch_event_bus", "this")}


def test_queue_policy_admits_each_topic_and_rule_by_source_arn_only() -> None:
    # Given the queue policy building block
    policy_module = building_block("queue_policy")
    statements = policy_module.data[("aws_iam_policy_document", "this")]["dynamic"]

    # Then SNS may send from the listed topics and EventBridge from the listed rules, to this queue only
    by_source = {block["statement"]["for_each"]: block["statement"]["content"][0] for block in statements}
    for source, service in (
        ("${var.sns_topic_arns}", "sns.amazonaws.com"),
        ("${var.event_rule_arns}", "events.amazonaws.com"),
    ):
        statement = by_source[source]
        assert (statement["effect"], statement["actions"], statement["resources"]) == (
            "Allow",
            ["sqs:SendMessage"],
            ["${var.queue_arn}"],
        )
        assert statement["principals"] == [{"type": "Service", "identifiers": [service]}]
        assert statement["condition"] == [
            {"test": "ArnEquals", "variable": "aws:SourceArn", "values": ["${statement.value}"]}
        ]
    assert set(by_source) == {"${var.sns_topic_arns}", "${var.event_rule_arns}"}
    assert policy_module.resources[("aws_sqs_queue_policy", "this")]["queue_url"] == "${var.queue_url}"


def test_schedule_group_role_is_assumed_by_scheduler_and_sends_to_the_target_queue_only() -> None:
    # Given the schedule group building block and the declaration
    group_module, system = building_block("schedule_group"), load_system()
    role = group_module.resources[("aws_iam_role", "scheduler")]
    [statement] = group_module.data[("aws_iam_policy_document", "send")]["statement"]

    # Then the role is named as the deployer names it and trusted by EventBridge Scheduler only
    assert role["name"] == "${var.name_prefix}-${var.name}-scheduler"
    assert system.scheduler_role_name("kitchen-alerts") == f"{system.name_prefix}-kitchen-alerts-scheduler"
    assert 'Principal = {Service = "scheduler.amazonaws.com"}' in role["assume_role_policy"]
    # And it may send to the target queue, and do nothing else
    assert set(statement["actions"]) == set(iam.SCHEDULER_TARGET_SEND)
    assert statement["resources"] == ["${var.target_queue_arn}"]
    assert group_module.resources[("aws_iam_role_policy", "send")]["role"] == "${aws_iam_role.scheduler.id}"


def test_schedule_grants_cover_the_schedules_of_one_group_as_the_deployer_computes_them() -> None:
    # Given the schedule group's outputs
    schedules = building_block("schedule_group").outputs["schedules_arn"]["value"]

    # Then the schedules ARN is the group's ARN with schedule-group/<g> turned into schedule/<g>/*
    assert schedules == '${replace(aws_scheduler_schedule_group.this.arn, ":schedule-group/", ":schedule/")}/*'
    group_arn = "arn:aws:scheduler:us-east-1:000000000000:schedule-group/pizza-kitchen-alerts"
    assert iam.schedules_arn(group_arn) == group_arn.replace(":schedule-group/", ":schedule/") + "/*"


def test_keys_rotate_and_are_found_by_the_alias_the_deployer_uses() -> None:
    # Given the key building block
    key_module = building_block("kms_key")
    key = key_module.resources[("aws_kms_key", "this")]
    alias = key_module.resources[("aws_kms_alias", "this")]

    # Then each usage is the key usage and spec the deployer creates, and a key is symmetric by default
    assert (key["key_usage"], key["customer_master_key_spec"]) == (
        "${local.key_usage[var.usage]}",
        "${local.key_spec[var.usage]}",
    )
    locals_ = key_module.locals
    assert {usage: (locals_["key_usage"][usage], locals_["key_spec"][usage]) for usage in KEY_KINDS} == KEY_KINDS
    assert key_module.variables["usage"]["default"] == KmsKey(description="x").usage == "encrypt"
    # And only a symmetric key is rotated (KMS rotates no HMAC key), as in the deployer
    assert key["enable_key_rotation"] == '${var.usage == "encrypt"}'
    # And its alias is alias/<prefix>-<name>, as in the deployer
    assert alias["name"] == "alias/${var.name_prefix}-${var.name}"
    assert load_system().key_alias("order-pii") == "alias/pizza-order-pii"


def test_tables_take_an_optional_ttl_attribute() -> None:
    # Given the table building block
    table_module = building_block("dynamodb_table")
    dynamic = table_module.resources[("aws_dynamodb_table", "this")]["dynamic"]
    [ttl] = [block["ttl"] for block in dynamic if "ttl" in block]

    # Then TTL is on, on the given attribute, only when one is given
    assert ttl["for_each"] == "${var.ttl_attribute == null ? [] : [var.ttl_attribute]}"
    assert ttl["content"] == [{"attribute_name": "${ttl.value}", "enabled": True}]
    assert table_module.variables["ttl_attribute"]["default"] is None
