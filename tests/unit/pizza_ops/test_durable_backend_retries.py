"""The emulator adapter's backend retries (fix 9): which invocations failed, and the pauses between retries."""

from __future__ import annotations

import json

import pytest

from pizza_ops.deploy.durable_backend_retries import durable_status, retry_delay_seconds


@pytest.mark.parametrize("status", ["PENDING", "SUCCEEDED", "FAILED"])
def test_an_answer_of_the_sdk_is_read_whatever_form_the_emulator_hands_it_in(status: str) -> None:
    # Given the SDK's answer as bytes, as JSON text and parsed
    answer = {"Status": status, "Result": "{}"}
    forms = [json.dumps(answer).encode(), json.dumps(answer), answer]

    # When and Then its status is read from each
    assert [durable_status(form) for form in forms] == [status] * 3


@pytest.mark.parametrize(
    "body",
    [
        {"errorMessage": "Task timed out after 30.00 seconds", "errorType": "Sandbox.Timedout"},
        b'{"errorMessage": "Worker process died"}',
        "not json",
        None,
        {"Status": "RUNNING"},
    ],
)
def test_an_invocation_that_ended_without_an_answer_has_no_status(body: object) -> None:
    # Given the body of a timed-out, crashed or otherwise unanswered invocation
    # When and Then it carries no durable status: the adapter invokes the execution again
    assert durable_status(body) is None


def test_retries_wait_a_second_then_twice_as_long_each_time_up_to_a_minute() -> None:
    # Given one to nine failed invocations in a row
    # When and Then the pause before the next one doubles from a second, and stops at a minute
    assert [retry_delay_seconds(failures) for failures in range(1, 10)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
