"""Clients of the session's embedded stack (the `stack` fixture, tests/conftest.py's, shared with tests/browser).

Every test here drives the real message paths on the emulator: HTTP API → Lambda → DynamoDB →
SQS → Lambda, with the spans the Lambdas export.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from integration_support import AwsClients, OrdersApi, Telemetry, set_order_event_channels
from pubsub_support import PubSub

from pizza_ops.stack import EmbeddedStack, emulator_credentials_session
from pizza_ops.tap import tapped_queue

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def aws(stack: EmbeddedStack) -> AwsClients:
    assert stack.outputs is not None
    session = emulator_credentials_session(stack.config.region)
    return AwsClients(session, stack.emulator.endpoint, stack.config.region, stack.outputs)


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=15) as client:
        yield client


@pytest.fixture(scope="session")
def orders_api(stack: EmbeddedStack, http: httpx.Client) -> OrdersApi:
    assert stack.outputs is not None
    return OrdersApi(http, stack.outputs.api_urls["orders"])


@pytest.fixture(scope="session")
def telemetry(stack: EmbeddedStack) -> Telemetry:
    return Telemetry(stack.spans)


@pytest.fixture(scope="session")
def pubsub(stack: EmbeddedStack, aws: AwsClients) -> PubSub:
    session = emulator_credentials_session(stack.config.region)
    return PubSub(aws, session, stack.emulator.endpoint, stack.config.region)


@pytest.fixture
def topic_probe(aws: AwsClients, pubsub: PubSub) -> Iterator[str]:
    """A queue of the test's own, subscribed raw to the order-events topic: what any subscriber sees."""
    with tapped_queue(aws.sqs, pubsub.sns, pubsub.topic_arn) as queue_url:
        yield queue_url


@pytest.fixture
def order_events_on_both_channels(aws: AwsClients) -> Iterator[None]:
    """Order events published on SNS and EventBridge both (the default is SNS alone), for the test."""
    set_order_event_channels(aws, "sns,eventbridge")
    yield
    set_order_event_channels(aws, "sns")
