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


def test_each_service_image_copies_exactly_what_its_zip_carries() -> None:
    dockerfile = _dockerfile("lambda.Dockerfile")
    for package in {f.package for f in load_system().functions.values()}:
        # Given the top-level packages inside the service's zip
        with zipfile.ZipFile(io.BytesIO(build_zip(package))) as archive:
            zipped = {name.split("/", 1)[0] for name in archive.namelist()}
        # Then the image copies the same source trees, and nothing else
        assert _copied_source_dirs(dockerfile, package) == zipped == {*SHARED_PACKAGES, package}


def test_images_install_the_run_time_dependencies_from_pyproject() -> None:
    # Both images install a requirements file that pizza_ops.requirements writes from pyproject.toml
    assert "build/lambda-requirements.txt" in _dockerfile("lambda.Dockerfile")
    assert "build/emulator-requirements.txt" in _dockerfile("emulator.Dockerfile")
    runtime = requirements("runtime")
    emulator = requirements("emulator")
    assert any(r.startswith("aws-lambda-powertools==") for r in runtime)
    assert set(runtime) < set(emulator)
    assert any(r.startswith("ministack==") for r in emulator)
