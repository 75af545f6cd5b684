"""The docker compose stack of `make up TELEMETRY=local`, used as a customer and an operator would.

An order goes in through the deployed HTTP API; the Lambdas that handle it run as worker processes
inside the MiniStack container and export their spans to `otel-collector:4318` only (the Collector,
here Rotel), which forwards them to the trace store behind `jaeger` (its query API on 16686). So a
span of theirs found through that query API has come through the Collector.

`make test-up` starts the stack before and stops it after, and says where the deployment is
recorded (PIZZA_COMPOSE_STATE_DIR); without that, these tests are skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import boto3
import httpx
import pytest

from pizza_ops.deploy.outputs import StackOutputs
from pizza_ops.system import load_system
from pizza_ops.telemetry import JaegerQueryClient, traces_of_order

STATE_DIR = os.environ.get("PIZZA_COMPOSE_STATE_DIR", "")
QUERY_URL = "http://127.0.0.1:16686"
COLLECTOR_FOR_LAMBDAS = "http://otel-collector:4318"
# A placed order's path in the deployed default workflow, the saga: the API, the saga, the kitchen.
ORDER_PATH_FUNCTIONS = ("order-api", "order-saga", "kitchen-processor")

pytestmark = pytest.mark.skipif(not STATE_DIR, reason="needs the compose stack of `make test-up`")

T = TypeVar("T")


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 60) -> T:
    deadline = time.monotonic() + timeout
    while not (result := probe()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.5)
    return result


@pytest.fixture(scope="module")
def outputs() -> StackOutputs:
    return StackOutputs.load(Path(STATE_DIR) / "stack.json")


@pytest.fixture(scope="module")
def acknowledged_order(outputs: StackOutputs) -> str:
    """An order placed through the deployed API, once the kitchen has acknowledged it."""
    api = outputs.api_urls["orders"]
    body = {"customerId": "c-compose", "orderType": "collection", "items": [{"pizza": "Margherita", "quantity": 1}]}
    with httpx.Client(timeout=10) as http:
        placed = http.post(f"{api}/orders", json=body)
        assert placed.status_code == 202, placed.text
        status_url = placed.json()["statusUrl"]
        eventually(
            lambda: (r := http.get(status_url)).status_code == 200 and r.json()["acknowledgedAt"] is not None,
            what=f"the order at {status_url} to be acknowledged",
        )
    return str(placed.json()["orderId"])


def test_lambdas_in_the_emulator_export_their_spans_to_the_collector(outputs: StackOutputs) -> None:
    # Given the functions of an order's path, deployed into the MiniStack container
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=outputs.region)
    lambda_client = session.client("lambda", endpoint_url=outputs.endpoint)

    for name in ORDER_PATH_FUNCTIONS:
        # When their configuration is read back
        configuration = lambda_client.get_function_configuration(FunctionName=outputs.function_names[name])

        # Then they export to the Collector's service name, the only way out of the container
        assert configuration["Environment"]["Variables"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == COLLECTOR_FOR_LAMBDAS


@pytest.fixture(scope="module")
def order_path_services() -> set[str]:
    system = load_system()
    return {system.functions[name].service_name for name in ORDER_PATH_FUNCTIONS}


@pytest.fixture(scope="module")
def services_in_its_traces(acknowledged_order: str, order_path_services: set[str]) -> set[str]:
    """The services with spans in the order's traces, once all of its path's have arrived (or 60 s)."""
    seen: set[str] = set()
    deadline = time.monotonic() + 60
    while not order_path_services <= seen and time.monotonic() < deadline:
        time.sleep(0.5)
        with httpx.Client(timeout=10) as http:
            traces = traces_of_order(JaegerQueryClient(QUERY_URL, http), acknowledged_order)
        seen = {span.service_name for trace in traces for span in trace.spans}
    return seen


def test_an_acknowledged_orders_trace_arrives_through_the_collector(
    services_in_its_traces: set[str], order_path_services: set[str]
) -> None:
    # Given an order the kitchen has acknowledged, and the services of its path
    # When its traces are read from the query API behind the Collector
    # Then spans of every Lambda on its path arrived there
    assert order_path_services <= services_in_its_traces, sorted(order_path_services - services_in_its_traces)


def test_pizza_trace_prints_the_orders_trace_from_the_query_api(
    acknowledged_order: str, services_in_its_traces: set[str], order_path_services: set[str]
) -> None:
    # Given an acknowledged order whose trace has arrived
    assert order_path_services <= services_in_its_traces

    # When an operator runs the real `pizza trace` command against the stack's query API
    pizza = Path(sys.executable).with_name("pizza")
    command = [str(pizza), "trace", "--query-url", QUERY_URL, acknowledged_order]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    # Then it prints the order's trace trees, every service of its path among them
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("trace "), result.stdout
    assert all(service in result.stdout for service in order_path_services), result.stdout
