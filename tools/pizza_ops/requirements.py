"""Print a requirement list from pyproject.toml, so the one pyproject stays the only source.

`python -m pizza_ops.requirements runtime` prints the Lambda run-time dependencies;
`... emulator` adds the emulator, which the Makefile installs into the emulator's own environment;
`... lambda-image --only` prints that extra alone (the runtime interface client of the local
Lambda base image).
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from pizza_ops.repository import Repository


def requirements(extra: str, pyproject: Path | None = None, *, only: bool = False) -> list[str]:
    pyproject = pyproject or Repository.find().pyproject
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    if extra == "runtime":
        return list(project["dependencies"])
    extra_requirements = list(project["optional-dependencies"][extra])
    return extra_requirements if only else [*project["dependencies"], *extra_requirements]


if __name__ == "__main__":
    print("\n".join(requirements(sys.argv[1], only="--only" in sys.argv[2:])))
