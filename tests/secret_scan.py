"""Likely secrets in settings and files, found by detect-secrets (its default plugins and filters:
high-entropy strings that are not ids, URLs or templates; values of secret-named keys).

What is reported names the place and the kind of secret, never the value.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

from detect_secrets import SecretsCollection
from detect_secrets.settings import default_settings


def secrets_in_settings(settings: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Each likely secret among named groups of settings (a function's environment, say), as
    ``group: NAME (kind)``; each group is scanned as the ``.env`` file it would be."""
    found: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for group, variables in settings.items():
            names = list(variables)
            path = Path(folder, "settings.env")
            path.write_text("".join(f"{name}={variables[name]}\n" for name in names), encoding="utf-8")
            for line, kind in _scan(path):
                found.append(f"{group}: {names[line - 1]} ({kind})")
    return found


def secrets_in_files(root: Path, paths: list[Path]) -> list[str]:
    """Each likely secret in the files, as ``path:line (kind)``, the path relative to ``root``."""
    return [f"{path.relative_to(root)}:{line} ({kind})" for path in paths for line, kind in _scan(path)]


def _scan(path: Path) -> list[tuple[int, str]]:
    with default_settings():
        collection = SecretsCollection()
        collection.scan_file(str(path))
        return sorted((secret.line_number, secret.type) for secrets in collection.data.values() for secret in secrets)
