"""Fixtures shared by the suites that run against the embedded stack (tests/integration, tests/browser).

One embedded stack (MiniStack + OTLP receiver + the deployed system) serves the whole session,
whichever of those suites asks for it first; the unit and static suites never start it. MiniStack
runs as a subprocess, or in a container under PIZZA_EMULATOR=container (`make test-container`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog_review import catalog_checked
from embedded_stack_settings import (
    DEPLOY_WITH,
    EMULATOR,
    EMULATOR_IMAGE,
    TEST_ENVIRONMENT,
    TEST_VISIBILITY_TIMEOUT_SECONDS,
)
from emulator_container import EmulatorUnavailable, MiniStackContainer
from iam_review.session import DESELECTED, iam_reviewed
from pizza_ops.deploy.discovery import leftovers
from pizza_ops.deploy.emulator import Emulator, free_port
from pizza_ops.stack import EMULATOR_LOG_FILE, EmbeddedStack, EmbeddedStackConfig, emulator_credentials_session
from privacy_scan.session import LEDGER, personal_data_scanned


def _container_emulator(state_dir: Path) -> Emulator:
    # The Ryuk reaper's image cannot be pulled here; the container is removed on stop instead.
    os.environ["TESTCONTAINERS_RYUK_DISABLED"] = "true"
    container = MiniStackContainer(EMULATOR_IMAGE, port=free_port(), log_path=state_dir / EMULATOR_LOG_FILE)
    try:
        container.ensure_available()
    except EmulatorUnavailable as reason:
        pytest.exit(str(reason), returncode=pytest.ExitCode.USAGE_ERROR)
    return container


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config, request: pytest.FixtureRequest
) -> Iterator[EmbeddedStack]:
    state_dir: Path = tmp_path_factory.mktemp("pizza-state")
    deploy_with = DEPLOY_WITH
    config = EmbeddedStackConfig(
        state_dir=state_dir,
        emulator_port=0,
        otlp_port=0,
        visibility_timeout_seconds=TEST_VISIBILITY_TIMEOUT_SECONDS,
        extra_environment=TEST_ENVIRONMENT,
        deploy_with=deploy_with,
    )
    emulator = _container_emulator(state_dir) if EMULATOR == "container" else None
    with EmbeddedStack(config, emulator) as running:
        # Before anything is torn down, all it logged and traced is scanned for the personal data the
        # session's orders carried (tests/privacy_scan), and the AWS calls the functions made are
        # checked against their roles (tests/iam_review): a hit or a finding fails the run. After the
        # whole integration suite, the event catalog is checked against the consumers telemetry saw.
        with (
            iam_reviewed(running, request.session),
            personal_data_scanned(running, pytestconfig),
            catalog_checked(running, request.session),
        ):
            yield running
        if deploy_with == "terraform":
            # The Terraform run ends by destroying what it applied, and nothing may be left.
            running.terraform(config.system).destroy()
            left = leftovers(
                emulator_credentials_session(config.region), running.emulator.endpoint, config.region, config.system
            )
            assert left == [], f"terraform destroy left {len(left)} resources: {left}"


def pytest_deselected(items: list[pytest.Item]) -> None:
    # A session that left tests out has not made the whole suite's calls (tests/iam_review).
    DESELECTED.extend(items)


def pytest_runtest_logstart(nodeid: str) -> None:
    # Names the test that sends each order, for the personal data scan's report.
    LEDGER.current_test = nodeid
