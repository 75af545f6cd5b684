"""Publishing a CloudEvent to every channel inside one PRODUCER span, and how each channel reports refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.v1.event import CloudEvent
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from integration_patterns.cloudevents_envelope import EventType, new_event
from integration_patterns.pubsub_publisher import CloudEventPublisher, EventBridgeChannel, PublishFailed, SnsChannel

THING_HAPPENED_V2 = EventType("com.example.thing.happened", 2)
TOPIC_ARN = "arn:aws:sns:us-east-1:000000000000:thing-events"


class RecordingChannel:
    """A channel that keeps what it was handed (or refuses it)."""

    def __init__(self, name: str, fail_with: Exception | None = None) -> None:
        self.name = name
        self.delivered: list[tuple[BaseCloudEvent, str]] = []
        self._fail_with = fail_with

    def deliver(self, event: BaseCloudEvent, body: str) -> None:
        if self._fail_with is not None:
            raise self._fail_with
        self.delivered.append((event, body))


class FakeSnsClient:
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, **request: Any) -> dict[str, Any]:
        self.published.append(request)
        return {"MessageId": "sns-1"}


class FakeEventsClient:
    def __init__(self, response: dict[str, Any]) -> None:
        self.requests: list[dict[str, Any]] = []
        self._response = response

    def put_events(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        return self._response


def _event() -> CloudEvent:
    return new_event(THING_HAPPENED_V2, "/example/producer", {"thingId": "t-1"}, new_id=lambda: "event-1")


def test_one_producer_span_covers_the_publication_to_every_channel(finished_spans: InMemorySpanExporter) -> None:
    # Given a publisher with two channels
    sns, bus = RecordingChannel("aws_sns"), RecordingChannel("aws_eventbridge")
    publisher = CloudEventPublisher([sns, bus], destination_name="thing-events")

    # When an event is published
    sent = publisher.publish(_event())

    # Then one PRODUCER span covers it, named after the event type and describing the publication
    (span,) = finished_spans.get_finished_spans()
    assert span.kind is SpanKind.PRODUCER
    assert span.name == "publish com.example.thing.happened"
    assert span.attributes is not None
    assert span.attributes["messaging.system"] == "aws_sns+aws_eventbridge"
    assert span.attributes["messaging.destination.name"] == "thing-events"
    assert span.attributes["cloudevents.event_id"] == "event-1"
    assert span.attributes["cloudevents.event_type"] == "com.example.thing.happened.v2"
    # And each channel got the same body, carrying that span's context as the event's traceparent
    assert span.context is not None
    traceparent = f"00-{span.context.trace_id:032x}-{span.context.span_id:016x}-{span.context.trace_flags:02x}"
    ((sns_event, sns_body),) = sns.delivered
    ((bus_event, bus_body),) = bus.delivered
    assert sns_body == bus_body
    assert json.loads(sns_body)["traceparent"] == traceparent
    assert json.loads(sns_body)["id"] == "event-1"
    assert json.loads(sns_body)["data"] == {"thingId": "t-1"}
    # And the event returned is the one sent
    assert sent.get_attributes()["traceparent"] == traceparent
    assert sns_event.get_attributes()["traceparent"] == bus_event.get_attributes()["traceparent"] == traceparent


def test_a_publisher_needs_at_least_one_channel() -> None:
    # Given no channels / When a publisher is built / Then it is refused
    with pytest.raises(ValueError, match="at least one channel"):
        CloudEventPublisher([], destination_name="thing-events")


def test_a_channel_that_refuses_the_event_fails_the_publication(finished_spans: InMemorySpanExporter) -> None:
    # Given a publisher whose second channel refuses the event
    sns = RecordingChannel("aws_sns")
    bus = RecordingChannel("aws_eventbridge", fail_with=PublishFailed("bus rejected it"))
    publisher = CloudEventPublisher([sns, bus], destination_name="thing-events")

    # When an event is published / Then the failure reaches the caller (so its message is retried)
    with pytest.raises(PublishFailed, match="bus rejected it"):
        publisher.publish(_event())

    # And the span records the failure
    (span,) = finished_spans.get_finished_spans()
    assert span.status.status_code is StatusCode.ERROR


def test_the_sns_channel_publishes_the_body_as_the_message() -> None:
    # Given an SNS channel / When it delivers a body / Then the body is the topic's message, as is
    client = FakeSnsClient()
    SnsChannel(client, TOPIC_ARN).deliver(_event(), '{"id": "event-1"}')
    assert client.published == [{"TopicArn": TOPIC_ARN, "Message": '{"id": "event-1"}'}]


def test_the_eventbridge_channel_puts_the_body_as_detail_under_the_event_type() -> None:
    # Given an EventBridge channel whose bus accepts the entry
    client = FakeEventsClient({"FailedEntryCount": 0, "Entries": [{"EventId": "eb-1"}]})

    # When it delivers an event
    EventBridgeChannel(client, "thing-bus", "example.producer").deliver(_event(), '{"id": "event-1"}')

    # Then rules can match on the source and the CloudEvent type
    assert client.requests == [
        {
            "Entries": [
                {
                    "EventBusName": "thing-bus",
                    "Source": "example.producer",
                    "DetailType": "com.example.thing.happened.v2",
                    "Detail": '{"id": "event-1"}',
                }
            ]
        }
    ]


def test_an_entry_the_bus_rejects_raises_publish_failed_naming_the_error() -> None:
    # Given a bus that rejects the entry (PutEvents reports it in the response, not as an error)
    client = FakeEventsClient(
        {
            "FailedEntryCount": 1,
            "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}],
        }
    )
    channel = EventBridgeChannel(client, "thing-bus", "example.producer")

    # When it delivers an event / Then it is a failure that names the bus, the event and the error code
    with pytest.raises(PublishFailed) as failed:
        channel.deliver(_event(), "{}")
    assert "InternalFailure" in str(failed.value)
    assert "thing-bus" in str(failed.value)
    assert "event-1" in str(failed.value)
