"""Fixtures shared by the suites that run against the embedded stack (tests/integration, tests/browser).

One embedded stack (MiniStack + OTLP receiver + the deployed system) serves the whole session,
whichever of those suites asks for it first; the unit and static suites never start it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from embedded_stack_settings import DEPLOY_WITH, TEST_ENVIRONMENT, TEST_VISIBILITY_TIMEOUT_SECONDS
from pizza_ops.deploy.discovery import leftovers
from pizza_ops.stack import EmbeddedStack, EmbeddedStackConfig, emulator_credentials_session


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
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
    with EmbeddedStack(config) as running:
        yield running
        if deploy_with == "terraform":
            # The Terraform run ends by destroying what it applied, and nothing may be left.
            running.terraform(config.system).destroy()
            left = leftovers(
                emulator_credentials_session(config.region), running.emulator.endpoint, config.region, config.system
            )
            assert left == [], f"terraform destroy left {len(left)} resources: {left}"
