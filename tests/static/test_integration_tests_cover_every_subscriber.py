"""The integration tests cover every subscriber infra/system.yaml declares: they take the subscribers
from it, and where they need a fact per subscriber that it cannot hold, a subscriber without one
fails them. So a new subscriber cannot go untested unnoticed. Checked without the emulator."""

from __future__ import annotations

import copy
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pizza_ops.repository import Repository
from pizza_ops.system import SystemDeclaration

INTEGRATION_TESTS = Repository.find(Path(__file__)).root / "tests" / "integration"


@pytest.fixture(scope="module")
def integration_modules() -> Iterator[list[ModuleType]]:
    """The integration test modules and their helpers, imported as pytest imports them (by file
    name, from their folder), which starts no emulator: only fixtures do."""
    sys.path.insert(0, str(INTEGRATION_TESTS))
    try:
        yield [
            importlib.import_module(path.stem)
            for path in sorted(INTEGRATION_TESTS.glob("*.py"))
            if path.stem != "conftest"
        ]
    finally:
        sys.path.remove(str(INTEGRATION_TESTS))


@pytest.fixture(scope="module")
def pubsub_support(integration_modules: list[ModuleType]) -> ModuleType:
    [module] = [m for m in integration_modules if m.__name__ == "pubsub_support"]
    return module


def _with_a_fifth_subscriber(system: SystemDeclaration) -> SystemDeclaration:
    """The declaration plus a pizza-oven subscriber, wired as the others are: its queue with a DLQ,
    subscribed to the topic and to a rule of the bus, read by its function, which has an inbox."""
    raw: dict[str, Any] = copy.deepcopy(system.model_dump(mode="json", exclude_none=True))
    raw["tables"]["oven-inbox"] = {"hash_key": "id", "ttl_attribute": "expiration"}
    raw["queues"]["oven-order-events"] = {"dead_letter": {"name": "oven-order-events-dlq", "max_receive_count": 3}}
    raw["topics"]["order-events"]["subscribers"].append("oven-order-events")
    raw["event_buses"]["order-events"]["rules"]["order-confirmed-to-oven"] = {
        **raw["event_buses"]["order-events"]["rules"]["order-confirmed-to-loyalty"],
        "queue": "oven-order-events",
    }
    raw["functions"]["oven-processor"] = {
        "service_name": "oven",
        "package": "oven_service",
        "handler": "oven_service.wiring.handler",
        "environment": {"INBOX_TABLE_NAME": {"table": "oven-inbox"}},
        "permissions": [{"table": "oven-inbox", "access": ["get", "put", "update", "delete"]}],
    }
    raw["triggers"].append({"function": "oven-processor", "queue": "oven-order-events"})
    return SystemDeclaration.model_validate(raw)


def test_the_subscribers_are_the_functions_reading_the_queues_order_events_are_delivered_to(
    pubsub_support: ModuleType,
) -> None:
    # Given the declaration with one more subscriber, wired like the others
    system = _with_a_fifth_subscriber(pubsub_support.SYSTEM)

    # When the integration tests derive their subscribers from it
    subscribers = pubsub_support.declared_subscribers(system)

    # Then the new one is among them, with its function, queue, DLQ and inbox from the declaration
    assert set(subscribers) == {*pubsub_support.SUBSCRIBERS, "oven"}
    assert subscribers["oven"] == pubsub_support.Subscriber(
        service="oven",
        function="oven-processor",
        queue="oven-order-events",
        dead_letter_queue="oven-order-events-dlq",
        inbox_table="oven-inbox",
    )


def test_every_per_subscriber_expectation_covers_exactly_the_declared_subscribers(
    integration_modules: list[ModuleType], pubsub_support: ModuleType
) -> None:
    # Given every map of per-subscriber expectations the integration tests hold
    maps = {
        id(value): (module.__name__, name, value)
        for module in integration_modules
        for name, value in vars(module).items()
        if isinstance(value, pubsub_support.PerSubscriber)
    }
    assert len(maps) >= 3, "expected the collection-order, business-layer and address-reader maps"

    # Then each has an entry for every declared subscriber, and none for anything else
    problems = [f"{module}.{name}: {p}" for module, name, value in maps.values() for p in value.problems()]
    assert not problems, "\n".join(problems)


def test_a_declared_subscriber_without_an_expectation_fails_the_test_naming_it(pubsub_support: ModuleType) -> None:
    # Given expectations written before a fifth subscriber was declared
    declared = pubsub_support.declared_subscribers(_with_a_fifth_subscriber(pubsub_support.SYSTEM))
    expectations = pubsub_support.PerSubscriber("how it reacts", dict.fromkeys(pubsub_support.SUBSCRIBERS, True))

    # When a test reads them for every declared subscriber
    with pytest.raises(pytest.fail.Exception) as failed:
        expectations.items(declared)

    # Then the test fails, naming the subscriber and what it lacks
    assert str(failed.value) == (
        "subscriber 'oven' is declared in infra/system.yaml, but nothing says how it reacts: add an entry"
    )
