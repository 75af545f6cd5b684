"""Lambda zips: a service's package plus the shared library, nothing else, and reproducible."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from pizza_ops.deploy.zips import build_zip
from pizza_ops.system import load_system


@pytest.fixture(scope="module")
def kitchen_zip() -> bytes:
    return build_zip("kitchen_service")


def _names(archive: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return opened.namelist()


def test_a_service_zip_holds_its_package_and_the_shared_library_as_python_sources(kitchen_zip: bytes) -> None:
    # Given the kitchen service's zip / When its entries are listed
    names = _names(kitchen_zip)

    # Then it has the service's wiring, the pattern library and the contracts, as .py files only
    assert "kitchen_service/__init__.py" in names
    assert "kitchen_service/wiring.py" in names
    assert "integration_patterns/consumer.py" in names
    assert "pizza_contracts/__init__.py" in names
    assert all(name.endswith(".py") for name in names)
    assert {name.split("/", 1)[0] for name in names} == {"kitchen_service", "integration_patterns", "pizza_contracts"}


def test_no_test_double_and_no_operator_code_ships_in_a_lambda() -> None:
    # Given every service's zip / When their entries are listed
    packages = {function.package for function in load_system().functions.values()}
    names = [name for package in sorted(packages) for name in _names(build_zip(package))]

    # Then no in-memory twin (they live in tests/) and no operator-only module is in any of them
    assert not [name for name in names if "in_memory" in name or name.endswith("redrive.py")]


def test_a_service_zip_holds_no_other_service(kitchen_zip: bytes) -> None:
    # Given the kitchen service's zip / Then nothing of the order service is in it
    assert not [name for name in _names(kitchen_zip) if name.startswith("order_service/")]


def test_building_a_zip_twice_gives_the_same_bytes(kitchen_zip: bytes) -> None:
    # Given unchanged sources / When the zip is built again / Then it is byte-identical (no redeploy)
    assert build_zip("kitchen_service") == kitchen_zip


def test_file_times_do_not_change_the_zip(tmp_path: Path) -> None:
    # Given a source tree built once
    for package in ("integration_patterns", "pizza_contracts", "tiny_service"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(f'"""{package}."""\n')
    first = build_zip("tiny_service", services_dir=tmp_path)

    # When its files are touched (a fresh checkout, a CI runner) without changing their contents
    for path in tmp_path.rglob("*.py"):
        os.utime(path, (1_234_567_890, 1_234_567_890))

    # Then the zip is still byte-identical
    assert build_zip("tiny_service", services_dir=tmp_path) == first


def test_a_package_that_does_not_exist_is_refused() -> None:
    # Given / When a zip is asked for a package that is not there / Then it is refused
    with pytest.raises(FileNotFoundError, match="no_such_service"):
        build_zip("no_such_service")
