"""What several static checks read: each service package's zip, as the deployer builds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pizza_ops.deploy.zips import write_zips
from pizza_ops.system import load_system


@pytest.fixture(scope="session")
def zips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each declared service package's zip (with the packages it carries), by package name."""
    return write_zips(load_system().packages(), tmp_path_factory.mktemp("zips"))
