"""The container images and the zips are built from the same source trees."""

from __future__ import annotations

import io
import re
import zipfile

from pizza_ops.deploy.zips import SHARED_PACKAGES, build_zip
from pizza_ops.images import service_images, with_command
from pizza_ops.repository import Repository
from pizza_ops.requirements import requirements
from pizza_ops.system import load_system


def _dockerfile(name: str) -> str:
    return (Repository.find().root / "infra" / "docker" / name).read_text(encoding="utf-8")


def _copied_source_dirs(dockerfile: str, service: str) -> set[str]:
    copies = re.findall(r"^COPY services/(\S+) ", dockerfile, flags=re.MULTILINE)
    return {c.replace("${SERVICE}", service) for c in copies} - {""}


def _packages_copied_by_the_loop(dockerfile: str, with_packages: tuple[str, ...]) -> set[str]:
    # The one RUN that copies WITH_PACKAGES from the staged sources, as the build argument names them,
    # and the COPY that brings what it copied into the task root.
    loop = re.search(r'for package in \$\{WITH_PACKAGES\}; do cp -r "/tmp/services/\$\{package\}"', dockerfile)
    assert loop, "the Dockerfile copies the WITH_PACKAGES packages"
    assert re.search(r"^COPY --from=sources /opt/with-packages \$\{LAMBDA_TASK_ROOT\}$", dockerfile, re.MULTILINE)
    return set(with_packages)


def test_each_service_image_copies_exactly_what_its_zip_carries() -> None:
    dockerfile = _dockerfile("lambda.Dockerfile")
    for image in service_images(load_system()):
        # Given the top-level packages inside the service's zip
        zipped_bytes = build_zip(image.package, with_packages=image.with_packages)
        with zipfile.ZipFile(io.BytesIO(zipped_bytes)) as archive:
            zipped = {name.split("/", 1)[0] for name in archive.namelist()}
        # Then the image (built with WITH_PACKAGES set to the same packages) copies the same source
        # trees, and nothing else
        copied = _copied_source_dirs(dockerfile, image.package) | _packages_copied_by_the_loop(
            dockerfile, image.with_packages
        )
        assert copied == zipped == {*SHARED_PACKAGES, image.package, *image.with_packages} == set(image.packages)


def test_each_image_runs_a_handler_of_its_service_as_terraform_would() -> None:
    system = load_system()
    for image in service_images(system):
        # Given the service's functions, whose handler Terraform sets as image_config.command
        handlers = [f.handler for f in system.functions.values() if f.package == image.package]
        # Then the image's default command is one of them, added as the Dockerfile's last line
        assert image.handler == handlers[0] and set(image.handlers) == set(handlers)
        built = with_command(_dockerfile("lambda.Dockerfile"), image.handler)
        assert built.rstrip().splitlines()[-1] == f'CMD ["{image.handler}"]'
    module = (Repository.find().terraform / "modules" / "lambda_function" / "main.tf").read_text(encoding="utf-8")
    assert "command = [image_config.value]" in module


def test_images_install_only_their_requirements_constrained_by_pyproject() -> None:
    # The service image installs its own list (pizza_ops.images) constrained by pyproject's whole
    # pinned list; the emulator image a list pizza_ops.requirements writes from pyproject.toml
    lambda_dockerfile = _dockerfile("lambda.Dockerfile")
    assert "-r /tmp/requirements/${SERVICE}.txt -c /tmp/requirements/runtime.txt" in lambda_dockerfile
    assert "build/requirements/emulator.txt" in _dockerfile("emulator.Dockerfile")
    runtime = requirements("runtime")
    emulator = requirements("emulator")
    assert any(r.startswith("aws-lambda-powertools==") for r in runtime)
    assert set(runtime) < set(emulator)
    assert any(r.startswith("ministack==") for r in emulator)


def test_the_emulator_image_copies_every_module_its_start_up_script_imports_from_its_folder() -> None:
    # Given the emulator's start-up script and the modules beside it that it imports
    deploy = Repository.find().root / "tools" / "pizza_ops" / "deploy"
    script = (deploy / "ministack_with_fixes.py").read_text(encoding="utf-8")
    imported = {name for name in re.findall(r"(?m)^\s*from (\w+) import", script) if (deploy / f"{name}.py").exists()}
    assert imported, "the script imports no sibling module: this test has nothing to check"

    # Then the image copies the script and each of them into the script's folder
    dockerfile = _dockerfile("emulator.Dockerfile")
    for module in {"ministack_with_fixes", *imported}:
        assert f"COPY tools/pizza_ops/deploy/{module}.py /opt/pizza/{module}.py" in dockerfile, module
