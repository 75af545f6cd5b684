"""Drift in KMS keys, topics and their subscribers, event buses and their rules, the queue policies
that let both deliver, and schedule groups."""

from __future__ import annotations

from typing import Any

from pizza_ops.system import SystemDeclaration
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
        (_, args), key, subject = instances[name], system.kms_keys[name], f"KMS key {name!r}"
        problems += compare(subject, "description", key.description, args.get("description"))
        # Left out, the module's default: "encrypt", as in the declaration (checked in tests/static).
        problems += compare(subject, "usage", key.usage, args.get("usage", "encrypt"))
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
