"""`pizza load` fails in one line, before touching anything: a bad rate or duration, no stack, a stack not running."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pizza_ops.cli import main as pizza
from pizza_ops.deploy.emulator import free_port


def _one_line_error(captured: pytest.CaptureResult[str]) -> str:
    assert captured.out == ""
    assert captured.err.startswith("pizza: ") and captured.err.count("\n") == 1, captured.err
    return captured.err.removeprefix("pizza: ").rstrip("\n")


@pytest.mark.parametrize(
    ("rate", "duration", "reason"),
    [
        ("0", "3", "--rate must be more than 0"),
        ("2000", "3", "--rate must be more than 0 and at most 1000"),
        ("5", "-1", "--duration must be more than 0"),
        ("fast", "3", "'fast' is not a number"),
    ],
)
def test_a_bad_rate_or_duration_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rate: str, duration: str, reason: str
) -> None:
    # Given no stack at all / When a load is asked for with a bad rate or duration
    code = pizza(["--state-dir", str(tmp_path), "load", "--rate", rate, "--duration", duration])

    # Then it is refused in one line, as a command-line mistake
    assert code == 2
    assert reason in _one_line_error(capsys.readouterr())


def test_no_stack_recorded_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a state directory where nothing was deployed / When a load is asked for
    code = pizza(["--state-dir", str(tmp_path), "load", "--rate", "5", "--duration", "3"])

    # Then it says to start the stack
    assert code == 1
    assert "pizza up" in _one_line_error(capsys.readouterr())


def test_a_stack_not_running_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a stack recorded at an endpoint nobody answers on
    endpoint = f"http://127.0.0.1:{free_port()}"
    outputs = {
        "endpoint": endpoint,
        "region": "us-east-1",
        "otlp_endpoint": endpoint,
        "api_urls": {"orders": f"{endpoint}/orders-api"},
        "function_names": {"order-api": "pizza-order-api"},
        "table_names": {"orders": "pizza-orders"},
    }
    (tmp_path / "stack.json").write_text(json.dumps(outputs), encoding="utf-8")

    # When a load is asked for
    code = pizza(["--state-dir", str(tmp_path), "load", "--rate", "5", "--duration", "3"])

    # Then it asks whether the stack is running
    assert code == 1
    assert "is the stack running?" in _one_line_error(capsys.readouterr())
