"""The session's check of the event catalog against telemetry: once the whole integration suite's
traffic has gone through the embedded stack, `pizza catalog --check` (the command itself, as an
operator runs it) must find every declared consumer of every event type consuming it, no consumer
the declaration does not name, and no version consumed past its deprecation date.

A session that ran part of the suite is not judged: a consumer it never exercised would be
reported as never consuming."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from iam_review.session import whole_integration_suite_ran
from pizza_ops.stack import EmbeddedStack
from privacy_scan.session import wait_until_quiet

REPOSITORY = Path(__file__).parents[1]


@contextmanager
def catalog_checked(stack: EmbeddedStack, session: pytest.Session) -> Iterator[None]:
    """Check once the body is done, if the whole integration suite ran."""
    yield
    if not whole_integration_suite_ran(session):
        session.config.pluginmanager.register(
            _Summary("not judged: the session did not run the whole integration suite")
        )
        return
    wait_until_quiet(stack)
    command = ["catalog", "--check", "--query-url", stack.receiver.endpoint]
    checked = subprocess.run(
        [sys.executable, "-m", "pizza_ops", "--repo", str(REPOSITORY), *command],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = (checked.stdout + checked.stderr).strip()
    session.config.pluginmanager.register(_Summary(report))
    if checked.returncode != 0:
        pytest.fail(f"pizza catalog --check after the suite's traffic:\n{report}", pytrace=False)


class _Summary:
    """Says in the terminal summary what the check found (a pytest plugin)."""

    def __init__(self, report: str) -> None:
        self._report = report

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_sep("-", "event catalog check")
        for line in self._report.splitlines():
            terminalreporter.write_line(line)
