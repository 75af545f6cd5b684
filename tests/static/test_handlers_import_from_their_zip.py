"""Every declared handler imports from its own zip alone, as the emulator's Lambda workers (and AWS)
load it: a module that imports a package the zip does not carry fails here, not at a cold start."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pizza_ops.repository import Repository
from pizza_ops.system import load_system

SYSTEM = load_system()


@pytest.mark.parametrize("function", sorted(SYSTEM.functions))
def test_the_handler_imports_from_its_zip_and_the_layer_only(function: str, zips: dict[str, Path]) -> None:
    # Given the function's zip, and the emulator's interpreter (the run-time dependencies, as a
    # layer; none of this checkout's packages)
    declared = SYSTEM.functions[function]
    module, _, attribute = declared.handler.rpartition(".")
    python = Repository.find().emulator_python

    # When its handler's module is imported with the zip as the only source of project code
    probe = (
        "import importlib, sys\n"
        f"sys.path.insert(0, {str(zips[declared.package])!r})\n"
        f"handler = getattr(importlib.import_module({module!r}), {attribute!r})\n"
        "assert callable(handler)\n"
    )
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=120, check=False)

    # Then it imports (and does no work at import: no settings, no AWS calls)
    assert result.returncode == 0, result.stderr[-2000:]
