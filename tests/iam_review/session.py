"""The session's review of IAM: before the embedded stack is torn down, every AWS call the
functions made (their SDK spans) is checked against their deployed roles, and, when the whole
integration suite ran, every grant of the session stack's roles against those calls. A finding fails
the run (tests/conftest.py's ``stack`` fixture) naming function, action and resource."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from iam_review.calls import calls_of
from iam_review.grants import deployed_roles
from iam_review.review import Review, review
from pizza_ops.stack import EmbeddedStack, emulator_credentials_session
from privacy_scan.session import wait_until_quiet

INTEGRATION_TESTS = Path(__file__).parents[1] / "integration"
# Items deselected (-k, -m, --deselect): pytest_deselected in tests/conftest.py adds them.
DESELECTED: list[Any] = []


@contextmanager
def iam_reviewed(stack: EmbeddedStack, session: pytest.Session) -> Iterator[None]:
    """Review once the body is done (even if it failed: both failures are then reported)."""
    try:
        yield
    finally:
        result = review_session(stack, judge_grants=whole_integration_suite_ran(session))
        session.config.pluginmanager.register(_Summary(result))
        if result.failed:
            pytest.fail("IAM review of the session's AWS calls:\n" + result.describe(), pytrace=False)


def review_session(stack: EmbeddedStack, judge_grants: bool) -> Review:
    wait_until_quiet(stack)
    aws = emulator_credentials_session(stack.config.region)
    clients = {"endpoint_url": stack.emulator.endpoint, "region_name": stack.config.region}
    account = str(aws.client("sts", **clients).get_caller_identity()["Account"])
    system = stack.config.system
    roles = deployed_roles(aws.client("lambda", **clients), aws.client("iam", **clients), system)
    spans = stack.spans.spans_with_attribute("rpc.system", "aws-api")
    calls = [call for span in spans for call in calls_of(span, account)]
    return review(system, calls, roles, system.name_prefix, judge_grants)


def whole_integration_suite_ran(session: pytest.Session) -> bool:
    """Whether the session's traffic is the whole suite's: every integration test file collected
    whole (no -k, -m, --deselect, no file::test arguments), and no test failed or stopped the run
    (a failed test's traffic may be cut short, and its unused grants would be no finding)."""
    every_file = {path.resolve() for path in INTEGRATION_TESTS.glob("test_*.py")}
    collected = {Path(item.path).resolve() for item in session.items}
    whole_files = not any("::" in str(arg) for arg in session.config.args)
    return (
        every_file <= collected
        and whole_files
        and not DESELECTED
        and session.testsfailed == 0
        and not session.shouldstop
        and not session.shouldfail
    )


class _Summary:
    """Says in the terminal summary what was reviewed, findings or not (a pytest plugin)."""

    def __init__(self, result: Review) -> None:
        self._result = result

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        terminalreporter.write_sep("-", "IAM review")
        terminalreporter.write_line(self._result.summary())
