"""The container images and the zips are built from the same source trees."""

from __future__ import annotations

import io
import re
import zipfile

from pizza_ops.deploy.zips import SHARED_PACKAGES, build_zip
from pizza_ops.repository import Repository
from pizza_ops.requirements import requirements
from pizza_ops.system import load_system


def _dockerfile(name: str) -> str:
    return (Repository.find().root / "infra" / "docker" / name).read_text(encoding="utf-8")


def _copied_source_dirs(dockerfile: str, service: str) -> set[str]:
    copies = re.findall(r"^COPY services/(\S+) ", dockerfile, flags=re.MULTILINE)
    return {c.replace("${SERVICE}", service) for c in copies}


def _packages_copied_by_the_loop(dockerfile: str, with_packages: tuple[str, ...]) -> set[str]:
    # The one RUN that copies WITH_PACKAGES from the staged sources, as the build argument names them.
    loop = re.search(r'for package in \$\{WITH_PACKAGES\}; do cp -r "/tmp/services/\$\{package\}"', dockerfile)
    assert loop, "the Dockerfile copies the WITH_PACKAGES packages"
    return set(with_packages)


def test_each_service_image_copies_exactly_what_its_zip_carries() -> None:
    dockerfile = _dockerfile("lambda.Dockerfile")
    for package, with_packages in load_system().packages().items():
        # Given the top-level packages inside the service's zip
        with zipfile.ZipFile(io.BytesIO(build_zip(package, with_packages=with_packages))) as archive:
            zipped = {name.split("/", 1)[0] for name in archive.namelist()}
        # Then the image (built with WITH_PACKAGES set to the same packages) copies the same source
        # trees, and nothing else
        copied = _copied_source_dirs(dockerfile, package) | _packages_copied_by_the_loop(dockerfile, with_packages)
        assert copied == zipped == {*SHARED_PACKAGES, package, *with_packages}


def test_images_install_the_run_time_dependencies_from_pyproject() -> None:
    # Both images install a requirements file that pizza_ops.requirements writes from pyproject.toml
    assert "build/lambda-requirements.txt" in _dockerfile("lambda.Dockerfile")
    assert "build/emulator-requirements.txt" in _dockerfile("emulator.Dockerfile")
    runtime = requirements("runtime")
    emulator = requirements("emulator")
    assert any(r.startswith("aws-lambda-powertools==") for r in runtime)
    assert set(runtime) < set(emulator)
    assert any(r.startswith("ministack==") for r in emulator)
