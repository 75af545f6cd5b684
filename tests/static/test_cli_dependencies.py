"""The `ops` extra is what the `pizza` command imports: nothing missing, nothing more.

`pip install "pizza-integration-patterns[ops]"` must give a `pizza` that runs every command, and
the Lambdas' run-time dependencies must not grow because of the operator's tools.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from functools import cache
from pathlib import Path

from pizza_ops.repository import Repository


def _first_party() -> set[str]:
    """The checkout's own packages (services/ and tools/), which no distribution ships."""
    root = Repository.find().root
    return {init.parent.name for top in ("services", "tools") for init in (root / top).glob("*/__init__.py")}


def _project() -> dict[str, object]:
    return dict(tomllib.loads(Repository.find().pyproject.read_text(encoding="utf-8"))["project"])


def _names(requirements: object) -> set[str]:
    """Distribution names of requirement strings ("httpx==0.28.1" -> "httpx")."""
    assert isinstance(requirements, list)
    return {_canonical(re.split(r"[\[<>=!~;\s]", str(r), maxsplit=1)[0]) for r in requirements}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# Run by the emulator's own interpreter (MiniStack's environment), never by `pizza`.
_EMULATOR_SIDE = {"ministack_with_fixes.py"}


def _imported_modules(package_dir: Path) -> set[str]:
    """Every absolute import in the package, at module top or inside a function."""
    modules = set()
    for path in package_dir.rglob("*.py"):
        if path.name in _EMULATOR_SIDE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module)
    not_third_party = _first_party() | set(sys.stdlib_module_names) | {"__future__"}
    return {m for m in modules if m.split(".")[0] not in not_third_party}


@cache
def _distribution_files() -> dict[str, str]:
    """Installed module file (e.g. "google/protobuf/__init__.py") -> the distribution that ships it."""
    owners = {}
    for distribution in importlib.metadata.distributions():
        for file in distribution.files or ():
            if file.suffix == ".py":
                owners[file.as_posix()] = _canonical(distribution.metadata["Name"])
    return owners


def _distribution_of(module: str) -> str:
    # By file rather than top-level name: google.* and opentelemetry.* span several distributions.
    path = module.replace(".", "/")
    for candidate in (f"{path}.py", f"{path}/__init__.py"):
        if candidate in _distribution_files():
            return _distribution_files()[candidate]
    raise AssertionError(f"no installed distribution ships {module}")


def test_the_ops_extra_is_exactly_what_the_cli_imports_beyond_the_run_time_dependencies() -> None:
    # Given the distributions of every third-party module tools/pizza_ops imports
    imported = {_distribution_of(m) for m in _imported_modules(Repository.find().root / "tools" / "pizza_ops")}
    project = _project()
    runtime = _names(project["dependencies"])
    extras = project["optional-dependencies"]
    assert isinstance(extras, dict)

    # Then each is a run-time dependency or in the ops extra, and the extra holds nothing else
    assert imported - runtime == _names(extras["ops"])
    # And the run-time dependencies (what every Lambda gets) gained none of the operator's
    assert not runtime & _names(extras["ops"])


def test_the_development_environment_includes_the_ops_extra() -> None:
    # Given the dev extra, which the tests run with
    extras = _project()["optional-dependencies"]
    assert isinstance(extras, dict)

    # Then it pulls the ops extra in, so tests see the same `pizza` an operator installs
    assert "pizza-integration-patterns[ops]" in extras["dev"]
