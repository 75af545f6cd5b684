"""Fixtures shared by the suites that run against the embedded stack (tests/integration, tests/browser).

One embedded stack (MiniStack + OTLP receiver + the deployed system) serves the whole session,
whichever of those suites asks for it first; the unit and static suites never start it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from embedded_stack_settings import TEST_ENVIRONMENT, TEST_VISIBILITY_TIMEOUT_SECONDS
from pizza_ops.stack import EmbeddedStack, EmbeddedStackConfig


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    state_dir: Path = tmp_path_factory.mktemp("pizza-state")
    config = EmbeddedStackConfig(
        state_dir=state_dir,
        emulator_port=0,
        otlp_port=0,
        visibility_timeout_seconds=TEST_VISIBILITY_TIMEOUT_SECONDS,
        extra_environment=TEST_ENVIRONMENT,
    )
    with EmbeddedStack(config) as running:
        yield running
