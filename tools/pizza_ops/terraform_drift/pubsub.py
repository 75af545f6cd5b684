"""Drift in KMS keys, topics and their subscribers, event buses and their rules, the queue policies
that let both deliver, and schedule groups."""

from __future__ import annotations

from typing import Any

from pizza_ops.system import SystemDeclaration
from pizza_ops.terraform_drift.core import QUEUE_POLICY
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
    instances = module_instances(tf, "sns_topic")
    problems = presence_drift("topic", set(system.topics), set(instances))
    for name in sorted(set(system.topics) & set(instances)):
        subject, (_, args) = f"topic {name!r}", instances[name]
        subscribed: dict[str, Any] = args.get("subscriber_queue_arns", {})
        problems += _keyed_drift(subject, "subscriber", set(system.topics[name].subscribers), set(subscribed))
        problems += [
            f"{subject}: subscriber_queue_arns[{queue!r}] is not the ARN of queue {queue!r}"
            for queue, arn in sorted(subscribed.items())
            if resolve(tf, arn) != ("queue", queue, "arn")
        ]
    return problems


def event_bus_drift(system: SystemDeclaration, tf: Terraform) -> list[str]:
    instances = module_instances(tf, "event_bus")
    problems = presence_drift("event bus", set(system.event_buses), set(instances))
    for name in sorted(set(system.event_buses) & set(instances)):
        declared, (_, args) = system.event_buses[name].rules, instances[name]
        rules: dict[str, dict[str, Any]] = args.get("rules", {})
        problems += _keyed_drift(f"event bus {name!r}", "rule", set(declared), set(rules))
        for rule_name in sorted(set(declared) & set(rules)):
            rule, in_terraform, subject = declared[rule_name], rules[rule_name], f"rule {rule_name!r}"
            problems += compare(subject, "source", rule.source, in_terraform.get("source"))
            problems += compare(
                subject, "detail_type_prefix", rule.detail_type_prefix, in_terraform.get("detail_type_prefix")
            )
            target = resolve(tf, in_terraform.get("queue_arn")) or in_terraform.get("queue_arn")
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
