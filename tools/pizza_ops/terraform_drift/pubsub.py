"""Drift in KMS keys, topics and their subscribers, event buses and their rules, the queue policies
that let both deliver, schedule groups, and buckets."""

from __future__ import annotations

from typing import Any

from pizza_ops.deploy.buckets import lifecycle_rules
from pizza_ops.system import Bucket, SystemDeclaration
from pizza_ops.terraform_drift.core import QUEUE_POLICY, TOPIC_SUBSCRIPTION
from pizza_ops.terraform_drift.terraform import (
    Target,
    Terraform,
    block_kind,
    compare,
    module_instances,
    presence_drift,
    resolve,
    snake,
)


def key_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    instances = module_instances(tf, "kms_key")
    problems = presence_drift("KMS key", set(system.kms_keys), set(instances))
    for name in sorted(set(system.kms_keys) & set(instances)):
        _, args = instances[name]
        problems += compare(
            f"KMS key {name!r}", "description", system.kms_keys[name].description, args.get("description")
        )
    return problems


def topic_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    """Each declared topic has a module, and exactly its subscriber queues a topic_subscription each."""
    instances = module_instances(tf, "sns_topic")
    problems = presence_drift("topic", set(system.topics), set(instances))
    subscribed: dict[str, list[str]] = {}
    for label, args in tf.modules.items():
        if block_kind(args) != TOPIC_SUBSCRIPTION:
            continue
        topic, queue = resolve(tf, args.get("topic_arn")), resolve(tf, args.get("queue_arn"))
        if not topic or topic[0] != "topic" or topic[2] != "arn":
            problems.append(f"topic subscription {label!r}: topic_arn is not the ARN of a topic module")
        elif not queue or queue[0] != "queue" or queue[2] != "arn":
            problems.append(f"topic subscription {label!r}: queue_arn is not the ARN of a queue module")
        else:
            if label != f"{snake(queue[1])}_subscription":
                problems.append(f"topic subscription {label!r}: should be labelled {snake(queue[1])}_subscription")
            subscribed.setdefault(topic[1], []).append(queue[1])
    for name in sorted(set(system.topics) & set(instances)):
        queues = subscribed.get(name, [])
        problems += _keyed_drift(f"topic {name!r}", "subscriber", set(system.topics[name].subscribers), set(queues))
        problems += [
            f"topic {name!r}: queue {q!r} is subscribed more than once"
            for q in sorted(set(queues))
            if queues.count(q) > 1
        ]
    return problems


def event_bus_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    """Each declared bus has a module, and each of its rules an event_rule module on it."""
    instances = module_instances(tf, "event_bus")
    problems = presence_drift("event bus", set(system.event_buses), set(instances))
    rules = module_instances(tf, "event_rule")
    declared = {
        rule: (bus, declaration)
        for bus in system.event_buses
        for rule, declaration in system.event_buses[bus].rules.items()
    }
    problems += presence_drift("rule", set(declared), set(rules))
    for rule_name in sorted(set(declared) & set(rules)):
        (bus, rule), (_, args), subject = declared[rule_name], rules[rule_name], f"rule {rule_name!r}"
        on_bus = resolve(tf, args.get("event_bus_name")) or args.get("event_bus_name")
        problems += compare(subject, "event_bus_name", ("bus", bus, "name"), on_bus)
        problems += compare(subject, "source", rule.source, args.get("source_name"))
        problems += compare(subject, "detail_type_prefix", rule.detail_type_prefix, args.get("detail_type_prefix"))
        target = resolve(tf, args.get("queue_arn")) or args.get("queue_arn")
        problems += compare(subject, "queue_arn", ("queue", rule.queue, "arn"), target)
    return problems


def queue_policy_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    """Each queue a topic or rule delivers to has one policy module allowing exactly those senders."""
    problems: list[str] = []
    policies: dict[str, list[dict[str, Any]]] = {}
    for label, args in tf.modules.items():
        if block_kind(args) != QUEUE_POLICY:
            continue
        queue = resolve(tf, args.get("queue_arn"))
        if not queue or queue[0] != "queue" or queue[2] != "arn":
            problems.append(f"queue policy {label!r}: queue_arn is not the ARN of a queue module")
            continue
        if resolve(tf, args.get("queue_url")) != ("queue", queue[1], "url"):
            problems.append(f"queue policy {label!r}: queue_url is not the URL of queue {queue[1]!r}")
        if label != f"{snake(queue[1])}_queue_policy":
            problems.append(f"queue policy {label!r}: should be labelled {snake(queue[1])}_queue_policy")
        policies.setdefault(queue[1], []).append(args)
    senders = system.queue_senders()
    problems += [
        f"queue {q!r} is delivered to by a topic or rule but has no queue policy module"
        for q in sorted(set(senders) - set(policies))
    ]
    problems += [
        f"queue {q!r} has a queue policy module but no topic or rule delivers to it"
        for q in sorted(set(policies) - set(senders))
    ]
    problems += [
        f"queue {q!r} has more than one queue policy module" for q, p in sorted(policies.items()) if len(p) > 1
    ]
    for name in sorted(set(senders) & set(policies)):
        args, subject = policies[name][0], f"queue {name!r}"
        topics = _targets(tf, args.get("sns_topic_arns", []))
        rules = _targets(tf, args.get("event_rule_arns", []))
        expected_topics = sorted(("topic", t, "arn") for t in senders[name].topics)
        expected_rules = sorted(("rule", r, "arn") for r in senders[name].rules)
        problems += compare(subject, "the topic list of its policy", expected_topics, topics)
        problems += compare(subject, "the rule list of its policy", expected_rules, rules)
    return problems


def schedule_group_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    instances = module_instances(tf, "schedule_group")
    problems = presence_drift("schedule group", set(system.schedule_groups), set(instances))
    for name in sorted(set(system.schedule_groups) & set(instances)):
        _, args = instances[name]
        expected = ("queue", system.schedule_groups[name].target_queue, "arn")
        target = resolve(tf, args.get("target_queue_arn")) or args.get("target_queue_arn")
        problems += compare(f"schedule group {name!r}", "target_queue_arn", expected, target)
    return problems


def _keyed_drift(subject: str, what: str, declared: set[str], in_terraform: set[str]) -> list[str]:
    return [f"{subject}: {what} {n!r} is declared but not in Terraform" for n in sorted(declared - in_terraform)] + [
        f"{subject}: {what} {n!r} is in Terraform but not declared" for n in sorted(in_terraform - declared)
    ]


def _targets(tf: Terraform, expressions: list[Any]) -> list[Target | Any]:
    return sorted((resolve(tf, e) or e for e in expressions), key=str)


# What the s3_bucket building block must hold, whatever a bucket's settings: (resource type, the
# attributes every bucket gets), compared with the block's own Terraform.
BUCKET_GUARANTEES: dict[str, dict[str, Any]] = {
    "aws_s3_bucket_public_access_block": {
        "block_public_acls": True,
        "ignore_public_acls": True,
        "block_public_policy": True,
        "restrict_public_buckets": True,
    },
}
BUCKET_NAME = (
    "${var.name_prefix}-${var.name}-${data.aws_caller_identity.current.account_id}-${data.aws_region.current.name}"
)


def bucket_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    """Each declared bucket has a module with its expiry and the prefixes its permissions name."""
    instances = module_instances(tf, "s3_bucket")
    problems = presence_drift("bucket", set(system.buckets), set(instances))
    for name in sorted(set(system.buckets) & set(instances)):
        _, args = instances[name]
        subject = f"bucket {name!r}"
        problems += compare(
            subject, "expire_after_days", system.buckets[name].expire_after_days, args.get("expire_after_days")
        )
        prefixes = sorted(
            {p.prefix for f in system.functions.values() for p in f.permissions if p.bucket == name and p.prefix}
        )
        problems += compare(subject, "object_prefixes", prefixes, sorted(args.get("object_prefixes") or []))
    return problems


def bucket_block_drift(block: Terraform) -> list[str]:
    """The s3_bucket building block keeps every bucket private, encrypted, expiring, and named as deployed."""
    subject = "building block s3_bucket"
    problems: list[str] = []
    for resource_type, attributes in BUCKET_GUARANTEES.items():
        body = block.resources.get((resource_type, "this"), {})
        for attribute, expected in attributes.items():
            problems += compare(subject, f"{resource_type}.{attribute}", expected, body.get(attribute))
    bucket = block.resources.get(("aws_s3_bucket", "this"), {})
    problems += compare(subject, "aws_s3_bucket.bucket", BUCKET_NAME, bucket.get("bucket"))
    for resource_type in BUCKET_SETTINGS:
        body = block.resources.get((resource_type, "this"), {})
        problems += compare(subject, f"{resource_type}.bucket", "${aws_s3_bucket.this.id}", body.get("bucket"))
    encryption = block.resources.get(("aws_s3_bucket_server_side_encryption_configuration", "this"), {})
    algorithm = _first(_first(_first(encryption.get("rule")).get("apply_server_side_encryption_by_default")))
    problems += compare(subject, "default encryption", "AES256", algorithm.get("sse_algorithm"))
    return problems + _lifecycle_drift(subject, block)


# The resources that configure the bucket, each of them the module's own bucket.
BUCKET_SETTINGS = (
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_lifecycle_configuration",
)


def _lifecycle_drift(subject: str, block: Terraform) -> list[str]:
    """One lifecycle rule, the embedded deployer's (pizza_ops.deploy.buckets), its days the module's variable."""
    rules = block.resources.get(("aws_s3_bucket_lifecycle_configuration", "this"), {}).get("rule") or []
    rules = rules if isinstance(rules, list) else [rules]
    problems = compare(subject, "number of lifecycle rules", 1, len(rules))
    [deployed] = lifecycle_rules(Bucket(expire_after_days=1))
    rule = _first(rules)
    for setting, expected, actual in (
        ("lifecycle rule id", deployed["ID"], rule.get("id")),
        ("lifecycle rule status", deployed["Status"], rule.get("status")),
        ("lifecycle filter prefix", deployed["Filter"]["Prefix"], _first(rule.get("filter")).get("prefix")),
        ("lifecycle expiration days", "${var.expire_after_days}", _first(rule.get("expiration")).get("days")),
        (
            "lifecycle abort_incomplete_multipart_upload days",
            deployed["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"],
            _first(rule.get("abort_incomplete_multipart_upload")).get("days_after_initiation"),
        ),
    ):
        problems += compare(subject, setting, expected, actual)
    return problems


def _first(value: Any) -> dict[str, Any]:
    """A nested block as python-hcl2 gives it (a list of one dict, or the dict), or {} when absent."""
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, dict) else {}
