"""One `pizza up` per state directory: a second one refuses before it touches anything."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pizza_ops.cli import main as pizza
from pizza_ops.deploy.emulator import MiniStackProcess
from pizza_ops.stack import EmbeddedStack, EmbeddedStackConfig
from pizza_ops.stack_lock import LOCK_FILE, StackAlreadyRunning, StackLock
from pizza_ops.telemetry import OtlpReceiver

RUNNING_EMULATOR = "http://127.0.0.1:4566"

# Another process that claims a state directory the way `pizza up` does, and holds it until its
# stdin closes: a running stack as far as the state directory can tell.
_HOLD = f"""
import sys
from pathlib import Path
from pizza_ops.stack_lock import StackLock
lock = StackLock(Path(sys.argv[1]))
lock.acquire({RUNNING_EMULATOR!r})
print("claimed", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    """A state directory with what a running stack keeps there."""
    state = tmp_path / "state"
    state.mkdir()
    (state / "spans.sqlite").write_bytes(b"the running stack's spans")
    (state / "ministack.log").write_text("the running emulator's log\n", encoding="utf-8")
    (state / "stack.json").write_text('{"endpoint": "http://127.0.0.1:4566"}', encoding="utf-8")
    return state


@pytest.fixture
def running_stack(state_dir: Path) -> Iterator[subprocess.Popen[str]]:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(state_dir)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "claimed\n"
    yield holder
    if holder.poll() is None:
        assert holder.stdin is not None
        holder.stdin.close()
    holder.wait(timeout=10)


@pytest.fixture
def nothing_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting an emulator or a trace receiver fails the test instead of running one."""

    def refuse(self: object, *args: object, **kwargs: object) -> None:
        raise AssertionError(f"{type(self).__name__} was started")

    monkeypatch.setattr(MiniStackProcess, "start", refuse)
    monkeypatch.setattr(OtlpReceiver, "start", refuse)


def _contents(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


@pytest.mark.usefixtures("nothing_starts")
def test_a_second_stack_on_a_running_stacks_state_dir_is_refused_and_touches_nothing(
    state_dir: Path, running_stack: subprocess.Popen[str]
) -> None:
    # Given a stack running from the state directory (another process holds its claim)
    before = _contents(state_dir)

    # When a second embedded stack is set up on the same directory
    with pytest.raises(StackAlreadyRunning) as refused:
        EmbeddedStack(EmbeddedStackConfig(state_dir=state_dir, emulator_port=0, otlp_port=0))

    # Then it is refused, naming the running stack, and the spans, log and outputs are as they were
    assert f"(pid {running_stack.pid}, emulator {RUNNING_EMULATOR})" in str(refused.value)
    assert _contents(state_dir) == before


@pytest.mark.usefixtures("nothing_starts")
def test_pizza_up_on_a_running_stacks_state_dir_says_which_stack_and_how_to_stop_it(
    state_dir: Path, running_stack: subprocess.Popen[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a stack running from the state directory
    before = _contents(state_dir)

    # When `pizza up` is run again on it
    exit_code = pizza(["--state-dir", str(state_dir), "up", "--emulator-port", "0", "--otlp-port", "0"])

    # Then it fails in one line naming the running stack's pid and emulator and how to stop it
    assert exit_code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    pid = running_stack.pid
    assert captured.err == (
        f"pizza: a stack is already running from {state_dir} (pid {pid}, emulator {RUNNING_EMULATOR}); "
        f"stop it with Ctrl-C in its terminal or `kill {pid}`\n"
    )
    # And the running stack's files are untouched
    assert _contents(state_dir) == before


def test_a_killed_stacks_leftover_claim_does_not_block_the_next(
    state_dir: Path, running_stack: subprocess.Popen[str]
) -> None:
    # Given a stack that was killed outright, leaving its claim file behind
    running_stack.send_signal(signal.SIGKILL)
    running_stack.wait(timeout=10)
    assert (state_dir / LOCK_FILE).exists()

    # When the directory is claimed again
    lock = StackLock(state_dir)
    lock.acquire("http://127.0.0.1:4567")

    # Then the claim succeeds and names the new holder
    recorded = json.loads((state_dir / LOCK_FILE).read_text(encoding="utf-8"))
    assert recorded["emulator"] == "http://127.0.0.1:4567"
    lock.release()


def test_a_released_claim_lets_the_next_stack_start(tmp_path: Path) -> None:
    # Given a directory claimed and then released, as a stack does when it stops
    first = StackLock(tmp_path)
    first.acquire(RUNNING_EMULATOR)
    with pytest.raises(StackAlreadyRunning):
        StackLock(tmp_path).acquire("http://127.0.0.1:4567")
    first.release()

    # When another stack claims it / Then it may
    second = StackLock(tmp_path)
    second.acquire("http://127.0.0.1:4567")
    second.release()
