"""Lambda zip packages, built from the same source tree the container images copy.

A zip carries the service's package, the shared pattern library and the system's published
contracts; third-party packages come
from the runtime (the container image on AWS, the emulator's environment locally).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from pizza_ops.repository import Repository

# Shared by every service: the pattern library and the published event types.
SHARED_PACKAGES = ("integration_patterns", "pizza_contracts")
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # same source, same bytes: unchanged code is not redeployed


def build_zip(
    package: str,
    services_dir: Path | None = None,
    with_packages: Sequence[str] = (),
    shared: Sequence[str] = SHARED_PACKAGES,
) -> bytes:
    """One function's zip: its service's package, ``with_packages`` (other services' packages it
    calls in-process) and the ``shared`` ones; ``services_dir`` defaults to the repository around
    the working directory's."""
    services_dir = services_dir or Repository.find().services
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for top in sorted({*shared, package, *with_packages}):
            root = services_dir / top
            if not (root / "__init__.py").is_file():
                raise FileNotFoundError(f"no Python package at {root}")
            for path in sorted(root.rglob("*.py")):
                info = zipfile.ZipInfo(str(path.relative_to(services_dir)), date_time=_FIXED_TIME)
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def write_zips(
    packages: Mapping[str, Sequence[str]], out_dir: Path, services_dir: Path | None = None
) -> dict[str, Path]:
    """One zip per service package (``packages``: each with the other packages it carries)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for package, extra in sorted(packages.items()):
        path = out_dir / f"{package}.zip"
        path.write_bytes(build_zip(package, services_dir, extra))
        written[package] = path
    return written
