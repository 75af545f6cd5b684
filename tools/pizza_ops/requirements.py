"""Print a requirement list from pyproject.toml, so the one pyproject stays the only source.

`python -m pizza_ops.requirements runtime` prints the Lambda run-time dependencies (for the
container images); `... emulator` adds the emulator, which the Makefile installs into the
emulator's own environment.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from pizza_ops.repository import Repository


def requirements(extra: str, pyproject: Path | None = None) -> list[str]:
    pyproject = pyproject or Repository.find().pyproject
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    if extra == "runtime":
        return list(project["dependencies"])
    return [*project["dependencies"], *project["optional-dependencies"][extra]]


if __name__ == "__main__":
    print("\n".join(requirements(sys.argv[1])))
