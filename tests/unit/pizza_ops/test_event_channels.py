"""Where event types travel, read off the declaration: channels, their publishers (by permission),
what each delivers, and who consumes each type."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from pizza_ops.repository import Repository
from pizza_ops.system import SystemDeclaration, load_system
from pizza_ops.system.event_channels import declared_consumers, event_channels


@pytest.fixture(scope="module")
def raw_declaration() -> dict[str, Any]:
    with Repository.find().declaration.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def test_each_event_type_is_consumed_by_the_services_whose_queues_it_reaches() -> None:
    # Given the declared system
    system = load_system()
    # When the consumers of each event type are read off it
    consumers = declared_consumers(system)
    # Then order.confirmed reaches the four subscribers (through the topic and the bus) and each
    # point-to-point type its one consumer
    assert consumers == {
        "com.pizza.kitchen.order.acknowledged": ("acknowledgement-processor",),
        "com.pizza.order.confirmed": ("analytics", "delivery", "loyalty", "notifications"),
        "com.pizza.order.delivery.due-soon": ("kitchen-alerts",),
        "com.pizza.order.placed": ("kitchen-processor",),
        "com.pizza.order.status-changed": ("order-webhooks",),
    }


def test_publishers_are_the_functions_granted_to_publish_into_a_channel() -> None:
    # Given the declared system
    channels = {channel.key: channel for channel in event_channels(load_system())}
    # Then the kitchen queue is sent to by the relay (the choreography) and by the saga
    assert channels["queue:kitchen-orders"].publishers == ("order-outbox-publisher", "order-saga")
    # And the topic, each rule and the schedule group are published into by the relay alone
    for key in ("topic:order-events", "rule:order-confirmed-to-loyalty", "schedule_group:kitchen-alerts"):
        assert channels[key].publishers == ("order-outbox-publisher",), key
    # And a subscriber queue has no publisher of its own: the topic and a rule deliver to it
    assert channels["queue:loyalty-order-events"].publishers == ()
    assert "loyalty-order-events" in channels["topic:order-events"].delivers_to
    assert channels["rule:order-confirmed-to-loyalty"].delivers_to == ("loyalty-order-events",)
    # And a queue that carries no event type (stream failure pointers) is no channel
    assert "queue:order-outbox-failures" not in channels


def test_a_queue_carries_what_a_topic_delivers_to_it(raw_declaration: dict[str, Any]) -> None:
    # Given a topic that also carries a new type
    changed = copy.deepcopy(raw_declaration)
    changed["topics"]["order-events"]["carries"].append("com.pizza.order.refunded")
    # When the channels are read
    channels = {channel.key: channel for channel in event_channels(SystemDeclaration.model_validate(changed))}
    # Then every subscriber queue of the topic carries it, and its consumers are declared for it
    assert "com.pizza.order.refunded" in channels["queue:analytics-order-events"].event_types
    assert "com.pizza.order.refunded" not in channels["queue:kitchen-orders"].event_types
    # And the bus's rules (which do not carry it) do not
    assert "com.pizza.order.refunded" not in channels["rule:order-confirmed-to-analytics"].event_types


def test_a_permission_taken_away_takes_the_publisher_away(raw_declaration: dict[str, Any]) -> None:
    # Given the saga without its permission to send to the kitchen queue
    changed = copy.deepcopy(raw_declaration)
    permissions = changed["functions"]["order-saga"]["permissions"]
    permissions.remove({"queue": "kitchen-orders", "access": "send"})
    # When the channels are read
    channels = {channel.key: channel for channel in event_channels(SystemDeclaration.model_validate(changed))}
    # Then the relay alone publishes there
    assert channels["queue:kitchen-orders"].publishers == ("order-outbox-publisher",)


@pytest.mark.parametrize(
    ("break_it", "reported"),
    [
        (
            lambda d: d["queues"]["kitchen-orders"].update(carries=["com.pizza.order.placed.v1"]),
            "names a version; a channel carries every version of a type",
        ),
        (lambda d: d["topics"]["order-events"].update(carries=["Order Placed"]), "should match pattern"),
        (lambda d: d["topics"]["order-events"].pop("carries"), "carries"),
        (
            lambda d: d["event_buses"]["order-events"]["rules"]["order-confirmed-to-loyalty"].update(
                detail_type_prefix="com.pizza.order.refunded."
            ),
            "event_buses.order-events.order-confirmed-to-loyalty: routes none of the types the bus carries",
        ),
    ],
)
def test_a_wrong_carries_is_refused_naming_it(raw_declaration: dict[str, Any], break_it: Any, reported: str) -> None:
    # Given the declaration with one mistake about what a channel carries
    broken = copy.deepcopy(raw_declaration)
    break_it(broken)
    # When it is loaded
    with pytest.raises(ValidationError) as refused:
        SystemDeclaration.model_validate(broken)
    # Then the mistake is named
    assert reported in str(refused.value)


def test_a_rule_for_one_version_routes_its_type() -> None:
    # Given the declared rules, and a rule narrowed to v2 only
    rule = load_system().rules()["order-confirmed-to-loyalty"][1]
    narrowed = rule.model_copy(update={"detail_type_prefix": "com.pizza.order.confirmed.v2"})
    # Then both route order.confirmed, and neither routes order.placed or a type merely sharing the start
    assert rule.routes("com.pizza.order.confirmed") and narrowed.routes("com.pizza.order.confirmed")
    assert not rule.routes("com.pizza.order.placed")
    assert not rule.routes("com.pizza.order.confirmed-late")
