"""What the event catalog documents is true: every published event version has a data model in its
producer's registry (``<package>.published_events``), the model's JSON schema accepts what the
producer's builder really sends, and every consumer's anti-corruption layer reads it.

The producing packages are found from the declaration (infra/system.yaml), as ``pizza catalog``
finds them, so a new producer's registry is checked without editing this test.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema_rs  # installed with schemathesis; the orders API document's tests use it too
import pytest
from cloudevents.core.base import BaseCloudEvent
from published_event_samples import REPLY_QUEUE, published_samples
from pydantic import BaseModel

from integration_patterns.claim_check import ClaimCheck, ClaimPolicy, ClaimRedeemer
from integration_patterns.cloudevents_envelope import EventType, from_json, to_json
from integration_patterns.consumer import Translation
from kitchen_service.adapters.delivery_alert_translator import DELIVERY_ALERT_TRANSLATION
from kitchen_service.adapters.order_placed_translator import order_placed_translation
from order_service.adapters.acknowledgement_translator import ACKNOWLEDGEMENT_TRANSLATION
from order_service.adapters.contracts import ORDER_EVENT_CLAIMS
from order_updates_service.status_changed_translator import STATUS_CHANGED_TRANSLATION
from pizza_contracts import DEPRECATED_ON, ORDER_CONFIRMED
from pizza_ops.system import load_system
from pizza_ops.system.functions import LiteralValue
from twins.claims import InMemoryClaimStore

SYSTEM = load_system()
SAMPLES = published_samples()


def _published_events() -> dict[EventType, type[BaseModel]]:
    """Every producing package's registry, merged: the packages of the declaration that have one."""
    merged: dict[EventType, type[BaseModel]] = {}
    for package in sorted({function.package for function in SYSTEM.functions.values()}):
        if importlib.util.find_spec(f"{package}.published_events") is None:
            continue
        registry: Mapping[EventType, type[BaseModel]] = importlib.import_module(
            f"{package}.published_events"
        ).PUBLISHED_EVENTS
        assert not merged.keys() & registry.keys(), f"{package} registers a type another package publishes"
        merged.update(registry)
    return merged


PUBLISHED = _published_events()


def _type_of(event: BaseCloudEvent) -> EventType:
    return EventType.parse(event.get_type())


def _data_of(event: BaseCloudEvent) -> dict[str, Any]:
    data = event.get_data()
    assert isinstance(data, dict)
    return data


def test_the_order_and_kitchen_services_register_what_they_publish() -> None:
    # Given the registries found from the declaration / Then both producers' are among them
    assert {str(event_type) for event_type in PUBLISHED} == {
        "com.pizza.order.placed.v1",
        "com.pizza.order.confirmed.v1",
        "com.pizza.order.confirmed.v2",
        "com.pizza.order.delivery.due-soon.v1",
        "com.pizza.order.status-changed.v1",
        "com.pizza.kitchen.order.acknowledged.v1",
    }


def test_every_registered_version_has_samples_from_its_builder_and_every_sample_is_registered() -> None:
    # Given the events the builders made from the sample orders / Then they cover the registries exactly
    assert {_type_of(event) for event in SAMPLES.values()} == set(PUBLISHED)


@pytest.mark.parametrize("event_type", sorted(PUBLISHED, key=str), ids=str)
def test_the_schema_is_valid_json_schema_and_the_same_whichever_mode_is_asked(event_type: EventType) -> None:
    # Given a published version's data model
    model = PUBLISHED[event_type]

    # When its JSON schema is made for validation and for serialization
    schema = model.model_json_schema(mode="validation")

    # Then it is a valid JSON schema, and the catalog gets the same document either way
    assert jsonschema_rs.meta.is_valid(schema)
    assert model.model_json_schema(mode="serialization") == schema


def _objects(schema: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    yield str(schema["title"]), schema
    for name, definition in schema.get("$defs", {}).items():
        if definition.get("type") == "object":
            yield name, definition


@pytest.mark.parametrize("event_type", sorted(PUBLISHED, key=str), ids=str)
def test_the_event_and_every_field_say_what_they_hold(event_type: EventType) -> None:
    # Given a published version's schema
    schema = PUBLISHED[event_type].model_json_schema()

    # Then the event and each nested object say what they are, and every field what it holds
    undescribed = [
        f"{name}.{field}" if field else name
        for name, definition in _objects(schema)
        for field, property_schema in [("", definition), *definition["properties"].items()]
        if not property_schema.get("description")
    ]
    assert not undescribed


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_schema_accepts_what_the_builder_sends(name: str) -> None:
    # Given an event as its producer's builder made it, and its version's schema
    event = SAMPLES[name]
    schema = PUBLISHED[_type_of(event)].model_json_schema()
    data = _data_of(from_json(to_json(event)))

    # When the data is checked against the schema, formats (date-time, uri) included
    problems = [str(error) for error in jsonschema_rs.validator_for(schema, validate_formats=True).iter_errors(data)]

    # Then the schema accepts it
    assert not problems


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_the_model_reads_back_exactly_what_the_builder_sends(name: str) -> None:
    # Given an event as its producer's builder made it
    event = SAMPLES[name]
    data = _data_of(from_json(to_json(event)))

    # When its data is read with its version's model and written again
    again = PUBLISHED[_type_of(event)].model_validate(data).model_dump(mode="json")

    # Then nothing is lost, added or changed
    assert again == data


def _audience(package: str) -> str | None:
    """The restricted claim-check sections the package's function may read, as the declaration says."""
    for function in SYSTEM.functions.values():
        value = function.environment.get("CLAIM_CHECK_AUDIENCE")
        if function.package == package and isinstance(value, LiteralValue):
            return value.value
    return None


def _order_confirmed_subscribers() -> list[str]:
    queues = {queue for topic in SYSTEM.topics.values() for queue in topic.subscribers}
    return sorted({SYSTEM.functions[t.function].package for t in SYSTEM.triggers if t.queue in queues})


# Each consumer's anti-corruption layer, named by its package (the order.confirmed subscribers'
# from the declaration) and, where a package has several, what it reads.
CONSUMERS: dict[str, Translation[Any]] = {
    **{
        package: importlib.import_module(f"{package}.order_confirmed_translator").ORDER_CONFIRMED_TRANSLATION
        for package in _order_confirmed_subscribers()
    },
    "kitchen_service (orders)": order_placed_translation({REPLY_QUEUE}),
    "kitchen_service (alerts)": DELIVERY_ALERT_TRANSLATION,
    "order_service (acknowledgements)": ACKNOWLEDGEMENT_TRANSLATION,
    "order_updates_service (webhooks)": STATUS_CHANGED_TRANSLATION,
}
READS = [
    (consumer, name)
    for consumer, translation in CONSUMERS.items()
    for name, event in SAMPLES.items()
    if _type_of(event) in translation.accepts
]


def test_every_published_version_has_a_consumer_checked_here() -> None:
    # Given the consumers below / Then each published version is read by one of them at least
    assert {_type_of(SAMPLES[name]) for _, name in READS} == set(PUBLISHED)


def _as_received(event: BaseCloudEvent, consumer: str) -> BaseCloudEvent:
    """The event as the consumer's translator gets it: checked in by the order service's claim
    check, sent as JSON, and redeemed with the consumer's own audience."""
    store = InMemoryClaimStore()
    checked_in = ClaimCheck(store, ClaimPolicy(restricted=ORDER_EVENT_CLAIMS)).check_in(event)
    audience = _audience(consumer.partition(" ")[0])
    return ClaimRedeemer(store, audience).redeem(from_json(to_json(checked_in)))


@pytest.mark.parametrize(("consumer", "name"), READS, ids=[f"{c}: {n}" for c, n in READS])
def test_the_consumer_reads_what_the_producer_sends(consumer: str, name: str) -> None:
    # Given an event as its producer's builder made it, as this consumer receives it
    event = _as_received(SAMPLES[name], consumer)

    # When the consumer's anti-corruption layer reads it / Then it is accepted
    assert CONSUMERS[consumer].read(event) is not None


def test_every_deprecated_version_is_a_published_one_and_none_is_what_the_functions_write() -> None:
    # Given the deprecation dates, and the order.confirmed versions the declared functions write
    written = {
        EventType(ORDER_CONFIRMED, int(value.value))
        for function in SYSTEM.functions.values()
        if isinstance(value := function.environment.get("ORDER_CONFIRMED_VERSION"), LiteralValue)
    }

    # Then each date is for a version a producer registers, and no function writes a deprecated one
    assert written
    assert set(DEPRECATED_ON) <= set(PUBLISHED)
    assert not written & set(DEPRECATED_ON)
