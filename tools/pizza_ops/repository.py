"""Where the project's files are: the repository the operator works in, found when it is needed.

The `pizza` command may be installed anywhere, so nothing here is computed at import: the
repository is found from the working directory (or named with `--repo`) by whoever needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class RepositoryNotFound(LookupError):
    """No project repository where one was looked for."""


@dataclass(frozen=True)
class Repository:
    """A checkout of this project: a directory holding `infra/system.yaml` and `services/`."""

    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Repository:
        """The nearest repository at or above ``start`` (a file or directory; default: the working directory)."""
        origin = (start or Path.cwd()).resolve()
        for candidate in (origin, *origin.parents):
            if _is_repository(candidate):
                return cls(candidate)
        raise RepositoryNotFound(
            f"no pizza repository (a directory with infra/system.yaml and services/) at or above {origin}; "
            "run from inside one or pass --repo PATH"
        )

    @classmethod
    def at(cls, root: Path) -> Repository:
        """The repository at exactly ``root`` (what `--repo` names)."""
        resolved = root.resolve()
        if not _is_repository(resolved):
            raise RepositoryNotFound(f"{root} is not a pizza repository (no infra/system.yaml and services/ in it)")
        return cls(resolved)

    @property
    def declaration(self) -> Path:
        return self.root / "infra" / "system.yaml"

    @property
    def services(self) -> Path:
        return self.root / "services"

    @property
    def terraform(self) -> Path:
        return self.root / "infra" / "terraform"

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    @property
    def state_dir(self) -> Path:
        """Where `pizza up` and `pizza deploy` record the stack by default."""
        return self.root / ".pizza"

    @property
    def emulator_python(self) -> Path:
        """The emulator's own environment, which `make install` creates."""
        return self.root / ".venv-emulator" / "bin" / "python"

    @property
    def lambda_zips(self) -> Path:
        return self.root / "build" / "lambda"


def _is_repository(directory: Path) -> bool:
    return (directory / "infra" / "system.yaml").is_file() and (directory / "services").is_dir()
