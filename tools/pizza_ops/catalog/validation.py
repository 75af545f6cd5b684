"""The catalog validated by the official AsyncAPI parser (`@asyncapi/parser`, npm), which checks a
document against the AsyncAPI JSON Schema of its version and the parser's own rules (references
resolve, an operation's messages are its channel's). No Python package does that for 3.0, so the
parser runs under Node.js: tools/asyncapi/validate.mjs, installed by `make asyncapi-parser` (which `make test` runs)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

VALIDATOR_DIR = Path("tools") / "asyncapi"
_TIMEOUT_SECONDS = 120


class AsyncApiValidatorMissing(RuntimeError):
    """Node.js or the installed parser is not there: one line saying what to install."""


@dataclass(frozen=True)
class AsyncApiValidation:
    errors: tuple[str, ...]
    warnings: tuple[str, ...]  # warnings, information and hints: not failures

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_asyncapi(document: Path, repository_root: Path) -> AsyncApiValidation:
    """The parser's findings on ``document``; errors are the lines the script marks as errors."""
    node = shutil.which("node")
    if node is None:
        raise AsyncApiValidatorMissing("validating the catalog needs Node.js (Debian: apt-get install nodejs npm)")
    validator = repository_root / VALIDATOR_DIR
    if not (validator / "node_modules" / "@asyncapi" / "parser").is_dir():
        raise AsyncApiValidatorMissing(f"the AsyncAPI parser is not installed in {validator}: run make asyncapi-parser")
    run = subprocess.run(
        [node, str(validator / "validate.mjs"), str(document.resolve())],
        capture_output=True,
        text=True,
        timeout=_TIMEOUT_SECONDS,
        check=False,
        cwd=validator,
    )
    lines = run.stdout.splitlines()
    errors = [line for line in lines if line.startswith(("error ", "invalid:"))]
    if run.returncode != 0 and not errors:
        # The script itself failed (a crash, a usage error): that is an error too, with its reason.
        errors = [f"error (validator): exit {run.returncode}: {(run.stderr or run.stdout).strip()[-500:]}"]
    warnings = [line for line in lines if line.startswith(("warning ", "info ", "hint "))]
    return AsyncApiValidation(tuple(errors), tuple(warnings))
