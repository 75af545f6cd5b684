"""One embedded stack (MiniStack + OTLP receiver + the deployed system) for the whole session.

Every test here drives the real message paths on the emulator: HTTP API → Lambda → DynamoDB →
SQS → Lambda, with the spans the Lambdas export.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from integration_support import AwsClients, OrdersApi, Telemetry
from pubsub_support import PubSub

from pizza_ops.stack import EmbeddedStack, EmbeddedStackConfig, emulator_credentials_session
from pizza_ops.tap import tapped_queue

pytestmark = pytest.mark.integration

# Short visibility timeout: a failing message is redelivered after ~3 s, so one that fails
# every time reaches the DLQ (maxReceiveCount = 3) within seconds instead of minutes.
TEST_VISIBILITY_TIMEOUT_SECONDS = 3
# The suite runs the choreography; test_order_saga.py switches the orders API to the saga (the
# deployment's default) for its own tests. The saga waits this long for the kitchen: long enough
# for a cold kitchen worker on a busy machine, short enough for the timeout test to wait out.
TEST_ENVIRONMENT = {
    "order-api": {"ORDER_WORKFLOW": "choreography"},
    "order-saga": {"KITCHEN_ANSWER_TIMEOUT_SECONDS": "20"},
}


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    state_dir: Path = tmp_path_factory.mktemp("pizza-state")
    config = EmbeddedStackConfig(
        state_dir=state_dir,
        emulator_port=0,
        otlp_port=0,
        visibility_timeout_seconds=TEST_VISIBILITY_TIMEOUT_SECONDS,
        extra_environment=TEST_ENVIRONMENT,
    )
    with EmbeddedStack(config) as running:
        yield running


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
