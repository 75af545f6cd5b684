"""Starting a durable execution, and answering its callbacks, over a recording Lambda client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from integration_patterns.durable_functions import DurableCallbacks, DurableExecutionStarter
from integration_patterns.saga import REFUSAL_PREFIX

ALIAS = "arn:aws:lambda:us-east-1:123456789012:function:pizza-order-saga:live"


def _error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "Operation")


class RecordingLambda:
    def __init__(self, fail_with: str | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._fail_with = fail_with

    def _record(self, name: str, request: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((name, request))
        if self._fail_with:
            raise _error(self._fail_with)
        return {}

    def invoke(self, **request: Any) -> dict[str, Any]:
        return self._record("invoke", request)

    def send_durable_execution_callback_success(self, **request: Any) -> dict[str, Any]:
        return self._record("success", request)

    def send_durable_execution_callback_failure(self, **request: Any) -> dict[str, Any]:
        return self._record("failure", request)


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:lambda:us-east-1:123456789012:function:pizza-order-saga",
        "arn:aws:lambda:us-east-1:123456789012:function:pizza-order-saga:$LATEST",
        "pizza-order-saga",
    ],
)
def test_an_execution_is_never_started_on_latest_or_an_unqualified_function(arn: str) -> None:
    # Given an unqualified, $LATEST or bare name / When a starter is built / Then it is refused at once
    with pytest.raises(ValueError, match="published version or alias"):
        DurableExecutionStarter(RecordingLambda(), arn)


def test_a_start_is_asynchronous_named_and_carries_the_current_trace_context(
    finished_spans: InMemorySpanExporter,
) -> None:
    # Given a starter on the alias, inside a span
    client = RecordingLambda()
    with trace.get_tracer("test").start_as_current_span("POST /orders") as span:
        started = DurableExecutionStarter(client, ALIAS).start("order-1", {"orderId": "order-1"})
        trace_id = format(span.get_span_context().trace_id, "032x")

    # Then one asynchronous invoke of the alias, named after the order, with the input and traceparent
    assert started is True
    [(name, request)] = client.calls
    assert name == "invoke"
    assert (request["FunctionName"], request["InvocationType"], request["DurableExecutionName"]) == (
        ALIAS,
        "Event",
        "order-1",
    )
    payload = json.loads(request["Payload"])
    assert payload["orderId"] == "order-1"
    assert payload["traceparent"].split("-")[1] == trace_id


def test_a_second_start_under_the_same_name_is_not_an_error_and_others_are() -> None:
    # Given Lambda answering that the execution exists / When started / Then False, not an error
    assert (
        DurableExecutionStarter(RecordingLambda("DurableExecutionAlreadyStartedException"), ALIAS).start("order-1", {})
        is False
    )
    # And any other error reaches the caller
    with pytest.raises(ClientError):
        DurableExecutionStarter(RecordingLambda("TooManyRequestsException"), ALIAS).start("order-1", {})


def test_a_callback_is_answered_with_a_json_result_or_a_refusal_the_saga_recognises() -> None:
    # Given an answerer / When it succeeds one callback and refuses another
    client = RecordingLambda()
    callbacks = DurableCallbacks(client)
    assert callbacks.succeed("cb-1", {"orderId": "order-1"}) is True
    assert callbacks.refuse("cb-2", "no dough") is True

    # Then the success carries the JSON result, the failure the reason behind the refusal prefix
    (success, ok), (failure, refused) = client.calls
    assert (success, json.loads(ok["Result"])) == ("success", {"orderId": "order-1"})
    assert failure == "failure" and refused["CallbackId"] == "cb-2"
    assert refused["Error"]["ErrorMessage"] == f"{REFUSAL_PREFIX}no dough"


def test_answering_a_closed_callback_is_not_an_error_but_others_are() -> None:
    # Given a callback answered before or timed out / When answered / Then False
    closed = DurableCallbacks(RecordingLambda("CallbackTimeoutException"))
    assert closed.succeed("cb-1", {}) is False
    assert closed.refuse("cb-1", "late") is False
    # And another error reaches the caller (so the message is retried)
    with pytest.raises(ClientError):
        DurableCallbacks(RecordingLambda("ServiceException")).succeed("cb-1", {})
