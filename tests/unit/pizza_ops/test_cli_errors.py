"""`pizza` fails in one line, `pizza: <reason>` on stderr, never with a stack trace.

Exit 2 when the command line is wrong (an option, a name), 1 when the world is not as needed (no
stack running, nothing deployed); a reader that goes away (`pizza trace ... | head`) ends it quietly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pizza_ops.cli import BROKEN_PIPE_EXIT
from pizza_ops.cli import main as pizza
from pizza_ops.deploy.emulator import free_port
from pizza_ops.deployed_stack import DeployedStack
from pizza_ops.telemetry import OtlpReceiver, SpanStore, StoredSpan

ACCOUNT = "000000000000"


def _record_stack(state_dir: Path, endpoint: str) -> Path:
    """A stack.json as `pizza up` writes it, for a stack at ``endpoint`` (running or not)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    outputs = {
        "endpoint": endpoint,
        "region": "us-east-1",
        "otlp_endpoint": endpoint,
        "trace_query_url": endpoint,
        "queue_urls": {
            "kitchen-orders": f"{endpoint}/{ACCOUNT}/pizza-kitchen-orders",
            "kitchen-orders-dlq": f"{endpoint}/{ACCOUNT}/pizza-kitchen-orders-dlq",
        },
        "table_names": {"orders": "pizza-orders"},
        "function_names": {"kitchen-processor": "pizza-kitchen-processor"},
    }
    (state_dir / "stack.json").write_text(json.dumps(outputs), encoding="utf-8")
    return state_dir


def _one_line_error(captured: pytest.CaptureResult[str]) -> str:
    assert captured.out == ""
    assert captured.err.startswith("pizza: ")
    assert captured.err.count("\n") == 1, captured.err
    assert "Traceback" not in captured.err
    return captured.err.removeprefix("pizza: ").rstrip("\n")


class NoDeadLetterSources:
    """An SQS client on which no queue is any queue's DLQ (so nothing may be redriven)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def list_dead_letter_source_queues(self, **request: Any) -> dict[str, Any]:
        self.calls.append("list_dead_letter_source_queues")
        return {"queueUrls": []}

    def __getattr__(self, operation: str) -> Any:
        raise AssertionError(f"redrive of a queue that is not a DLQ called {operation}")


def test_redrive_of_a_queue_that_is_not_a_dlq_says_so_and_moves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a recorded stack whose SQS says no queue dead-letters into kitchen-orders
    state = _record_stack(tmp_path / "state", "http://127.0.0.1:4566")
    sqs = NoDeadLetterSources()
    monkeypatch.setattr(DeployedStack, "client", lambda self, service: sqs)

    # When the operator redrives the source queue instead of its DLQ
    exit_code = pizza(["--state-dir", str(state), "redrive", "kitchen-orders", "--rate", "1"])

    # Then it is a usage error, naming the DLQ meant, and nothing but the check was asked of SQS
    assert exit_code == 2
    assert _one_line_error(capsys.readouterr()) == (
        "kitchen-orders is not a dead-letter queue (no queue's redrive policy names it); "
        "did you mean kitchen-orders-dlq?"
    )
    assert sqs.calls == ["list_dead_letter_source_queues"]


@pytest.mark.parametrize("rate", ["0", "-3", "ten", "501"])
def test_redrive_at_a_rate_that_is_not_1_to_500_is_a_usage_error(rate: str, capsys: pytest.CaptureFixture[str]) -> None:
    # Given no stack at all (the rate is refused before anything is looked at)
    # When the operator redrives at a rate SQS would refuse, or one that is not a number
    exit_code = pizza(["--state-dir", "/nonexistent", "redrive", "kitchen-orders-dlq", f"--rate={rate}"])

    # Then it is a usage error, one line, naming the allowed range
    assert exit_code == 2
    assert _one_line_error(capsys.readouterr()) == (
        "argument --rate: messages per second must be a whole number from 1 to 500 (see `pizza redrive --help`)"
    )


def test_redrive_of_an_unknown_queue_lists_the_known_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a recorded stack
    state = _record_stack(tmp_path / "state", "http://127.0.0.1:4566")

    # When the operator mistypes the DLQ's name
    exit_code = pizza(["--state-dir", str(state), "redrive", "kitchen-order-dlq"])

    # Then it is a usage error naming the queues there are
    assert exit_code == 2
    assert _one_line_error(capsys.readouterr()) == (
        "unknown queue 'kitchen-order-dlq'; known: kitchen-orders, kitchen-orders-dlq"
    )


STACK_COMMANDS = {
    "trace": ["trace", "o-1"],
    "consumers": ["consumers", "com.pizza.order.confirmed"],
    "catalog --check": ["catalog", "--check"],
    "logs": ["logs", "kitchen-processor"],
    "outbox": ["outbox"],
    "redrive": ["redrive", "kitchen-orders-dlq"],
    "set-env": ["set-env", "kitchen-processor", "UNCOOKABLE_PIZZA="],
}


@pytest.mark.parametrize("command", STACK_COMMANDS.values(), ids=STACK_COMMANDS.keys())
def test_a_command_on_a_stack_that_is_not_running_says_so(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a stack recorded by an earlier `pizza up` that has since stopped (nothing listens there)
    endpoint = f"http://127.0.0.1:{free_port()}"
    state = _record_stack(tmp_path / "state", endpoint)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # no retries: the endpoint will not come back

    # When a command that needs the running stack is run
    exit_code = pizza(["--state-dir", str(state), *command])

    # Then it is a runtime error, one line, saying where it could not connect and why that may be
    assert exit_code == 1
    reason = _one_line_error(capsys.readouterr())
    assert reason.startswith("cannot reach ")
    assert endpoint in reason
    assert "is the stack running?" in reason


@pytest.mark.parametrize("command", STACK_COMMANDS.values(), ids=STACK_COMMANDS.keys())
def test_a_command_with_no_stack_recorded_says_how_to_start_one(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a state directory where no stack was ever started
    # When a command that needs a stack is run
    exit_code = pizza(["--state-dir", str(tmp_path), *command])

    # Then it is a runtime error, one line, pointing at `pizza up`
    assert exit_code == 1
    assert _one_line_error(capsys.readouterr()) == (
        f"no deployment recorded at {tmp_path / 'stack.json'}; start the stack with `pizza up` first"
    )


def test_trace_into_a_reader_that_went_away_ends_quietly() -> None:
    # Given a trace receiver holding an order's trace
    store = SpanStore(":memory:")
    start = 1_700_000_000_000_000_000
    store.add(
        StoredSpan(
            trace_id=f"{n:032x}",
            span_id=f"{n:016x}",
            parent_span_id=None,
            name="process pizza-kitchen-orders",
            kind="CONSUMER",
            service_name="kitchen-processor",
            start_unix_nano=start + n * 1_000_000,
            end_unix_nano=start + n * 1_000_000 + 500_000,
            attributes={"order.id": "o-1"},
        )
        for n in range(1, 40)
    )
    # ... and an output pipe whose reader has already gone, as `head` does once it has its lines
    read_end, write_end = os.pipe()
    os.close(read_end)

    # When `pizza trace` prints the order's trace into it
    with OtlpReceiver(store) as receiver:
        result = subprocess.run(
            [sys.executable, "-m", "pizza_ops", "trace", "o-1", "--query-url", receiver.endpoint],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    os.close(write_end)
    store.close()

    # Then it ends as if by SIGPIPE, with nothing on stderr: no BrokenPipeError, no traceback
    assert (result.returncode, result.stderr) == (BROKEN_PIPE_EXIT, "")


@pytest.mark.parametrize("bound", ["0", "-5", "many"])
def test_a_trace_store_bound_below_one_span_is_refused_alike_by_pizza_up_and_the_trace_store(
    bound: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a bound that keeps no span / When `pizza up` and the trace store program are given it
    up_exit = pizza(["--state-dir", "/nonexistent", "up", "--max-spans", bound])
    up_error = _one_line_error(capsys.readouterr())
    store = subprocess.run(
        [sys.executable, "-m", "pizza_ops.telemetry", "--max-spans", bound],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    # Then both refuse it as a usage error with the same reason, before starting anything
    reason = f"argument --max-spans: expected a whole number of spans, at least 1, got {bound!r}"
    assert (up_exit, up_error) == (2, f"{reason} (see `pizza up --help`)")
    assert (store.returncode, store.stderr.splitlines()) == (2, [f"python -m pizza_ops.telemetry: {reason}"])
