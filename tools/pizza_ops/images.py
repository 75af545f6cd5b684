"""Lambda container images, one per service package: what each carries, what it needs, its build.

An image carries the same source trees as the service's zip (pizza_ops.deploy.zips) and, of the
run-time dependencies, only the distributions that code imports: the imports are read from the
sources and mapped to the distributions installed here, pinned as pyproject pins them; pip then
resolves their own requirements inside the image, constrained by the whole pinned list.

    python -m pizza_ops.images requirements order_service   (what the image installs)
    python -m pizza_ops.images build [--base-image IMAGE] [--from-pypi]

``build`` writes build/requirements/<package>.txt and builds infra/docker/lambda.Dockerfile for
every service package, printing each image's size and build time.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pizza_ops.deploy.zips import SHARED_PACKAGES
from pizza_ops.repository import Repository
from pizza_ops.requirements import requirements
from pizza_ops.system import SystemDeclaration, load_system

DOCKERFILE = Path("infra/docker/lambda.Dockerfile")
# Where `make wheels` leaves the requirement lists; the Dockerfile copies the image's from here.
REQUIREMENTS_DIR = Path("build/requirements")


@dataclass(frozen=True)
class ServiceImage:
    """One service package's image. ``handler`` is its default command: the first of its functions
    in infra/system.yaml (Terraform sets each function's own, image_config.command)."""

    package: str
    with_packages: tuple[str, ...]
    handler: str
    # Every handler of the service's functions: where the import graph the image needs starts.
    handlers: tuple[str, ...] = ()

    @property
    def packages(self) -> tuple[str, ...]:
        return tuple(sorted({*SHARED_PACKAGES, self.package, *self.with_packages}))

    def tag(self, repository: str = "pizza") -> str:
        return f"{repository}/{self.package}:latest"


def service_images(system: SystemDeclaration) -> list[ServiceImage]:
    handlers: dict[str, list[str]] = {}
    for function in system.functions.values():
        handlers.setdefault(function.package, []).append(function.handler)
    return [
        ServiceImage(package, extra, handlers[package][0], tuple(handlers[package]))
        for package, extra in system.packages().items()
    ]


def imported_modules(sources: Iterable[Path]) -> set[str]:
    """Every absolute import in ``sources`` as a dotted name (``from a import b``: ``a.b``, which
    may be a module or a name in ``a``), leaving out imports made for type checkers only."""
    modules: set[str] = set()
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _run_time_nodes(tree):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def _run_time_nodes(node: ast.AST) -> Iterator[ast.AST]:
    for child in ast.iter_child_nodes(node):
        # `if TYPE_CHECKING:` imports never run; its `else:` does.
        children: list[ast.AST] = (
            list(child.orelse) if isinstance(child, ast.If) and _is_type_checking(child.test) else [child]
        )
        for run_time in children:
            yield run_time
            yield from _run_time_nodes(run_time)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def reachable_imports(entry_modules: Iterable[str], services_dir: Path) -> set[str]:
    """The imports of other distributions (and the standard library) that running
    ``entry_modules`` can reach, following the imports of the local packages in ``services_dir``:
    a module of the shared library no handler of the service imports adds nothing."""
    local = _local_packages(services_dir)
    seen: set[Path] = set()
    external: set[str] = set()
    pending = list(entry_modules)
    while pending:
        name = pending.pop()
        if name.split(".", 1)[0] not in local:
            external.add(name)
            continue
        for path in _module_files(name, services_dir):
            if path not in seen:
                seen.add(path)
                pending.extend(imported_modules([path]))
    return external


def _module_files(name: str, services_dir: Path) -> Iterator[Path]:
    """The files importing ``name`` runs: each package's __init__ on the way, then the module."""
    parts = name.split(".")
    for depth in range(1, len(parts) + 1):
        base = services_dir.joinpath(*parts[:depth])
        if (base / "__init__.py").is_file():
            yield base / "__init__.py"
        elif base.with_suffix(".py").is_file():
            yield base.with_suffix(".py")
            return
        else:
            return


def module_providers(distributions: Iterable[metadata.Distribution]) -> dict[str, str]:
    """Each importable module (dotted name) to the distribution whose files provide it."""
    providers: dict[str, str] = {}
    for distribution in distributions:
        for file in distribution.files or ():
            if file.parts[0] == ".." or file.suffix not in (".py", ".so", ".pyd") or len(file.parts) > 12:
                continue
            parts = [*file.parts[:-1], file.name.split(".", 1)[0]]
            if parts[-1] == "__init__":
                parts.pop()
            if parts and all(part.isidentifier() for part in parts):
                providers.setdefault(".".join(parts), _canonical(distribution.metadata["Name"]))
    return providers


def required_distributions(imports: Iterable[str], providers: Mapping[str, str], local: Iterable[str]) -> set[str]:
    """The distributions providing ``imports``, leaving out the standard library and ``local``
    (the packages the image carries itself). An import nothing provides is an error: the image
    would fail at its first cold start."""
    local_packages, found, unknown = set(local), set(), set()
    for name in imports:
        top = name.split(".", 1)[0]
        if top in sys.stdlib_module_names or top in local_packages:
            continue
        # The longest prefix a distribution provides: `opentelemetry.sdk.trace`, not `opentelemetry`.
        prefixes = (".".join(name.split(".")[:n]) for n in range(name.count(".") + 1, 0, -1))
        provider = next((providers[prefix] for prefix in prefixes if prefix in providers), None)
        if provider is None:
            unknown.add(name)
        else:
            found.add(provider)
    if unknown:
        raise LookupError(f"no installed distribution provides {', '.join(sorted(unknown))}")
    return found


def image_requirements(image: ServiceImage, services_dir: Path, pinned: Iterable[str]) -> list[str]:
    """The image's requirement lines: the pinned line of each distribution its handlers import (a bare
    name for one pyproject does not pin, which pip resolves within the pins of the others)."""
    needed = required_distributions(
        reachable_imports(image.handlers, services_dir),
        module_providers(metadata.distributions()),
        _local_packages(services_dir),
    )
    by_name = {_canonical(re.split(r"[\s<>=!~;\[]", line, maxsplit=1)[0]): line for line in pinned}
    return sorted(by_name.get(name, name) for name in needed)


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _local_packages(services_dir: Path) -> set[str]:
    return {path.parent.name for path in services_dir.glob("*/__init__.py")}


def with_command(dockerfile: str, handler: str) -> str:
    """The Dockerfile with the handler as its command: Docker expands no build argument in CMD,
    so the line is added here, from the same HANDLER the build argument carries."""
    return f"{dockerfile.rstrip()}\nCMD {json.dumps([handler])}\n"


def build(image: ServiceImage, root: Path, base_image: str, *, from_pypi: bool) -> tuple[float, int]:
    """Build ``image`` from the repository ``root``; its build time in seconds and size in bytes."""
    build_args = {
        "BASE_IMAGE": base_image,
        "SERVICE": image.package,
        "WITH_PACKAGES": " ".join(image.with_packages),
        "HANDLER": image.handler,
        # Offline from the host's wheelhouse (make wheels), or from PyPI (AWS's base on a laptop).
        "PIP_SOURCE": "" if from_pypi else "--no-index --find-links /tmp/wheels",
    }
    command = ["docker", "build", "--quiet", "-f", "-", "-t", image.tag()]
    command += [arg for key, value in build_args.items() for arg in ("--build-arg", f"{key}={value}")]
    started = time.monotonic()
    dockerfile = with_command((root / DOCKERFILE).read_text(encoding="utf-8"), image.handler)
    built = subprocess.run([*command, "."], cwd=root, input=dockerfile, text=True, capture_output=True)
    if built.returncode != 0:  # the builder's own output says why (its deprecation notice is noise otherwise)
        raise SystemExit(f"docker build of {image.tag()} failed:\n{built.stderr}")
    seconds = time.monotonic() - started
    size = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{.Size}}", image.tag()],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return seconds, int(size)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m pizza_ops.images")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("requirements").add_argument("package")
    build_parser = commands.add_parser("build")
    build_parser.add_argument("--base-image", default="pizza/lambda-python:3.11")
    build_parser.add_argument("--from-pypi", action="store_true")
    args = parser.parse_args(argv)
    repository = Repository.find()
    images = {image.package: image for image in service_images(load_system())}
    pinned = requirements("runtime")
    if args.command == "requirements":
        print("\n".join(image_requirements(images[args.package], repository.services, pinned)))
        return
    (repository.root / REQUIREMENTS_DIR).mkdir(parents=True, exist_ok=True)
    (repository.root / REQUIREMENTS_DIR / "runtime.txt").write_text("\n".join(pinned) + "\n", encoding="utf-8")
    for image in images.values():
        lines = image_requirements(image, repository.services, pinned)
        path = repository.root / REQUIREMENTS_DIR / f"{image.package}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        seconds, size = build(image, repository.root, args.base_image, from_pypi=args.from_pypi)
        print(f"{image.tag():40} {size / 1e6:7.1f} MB  built in {seconds:5.1f} s  ({len(lines)} requirements)")


if __name__ == "__main__":
    main(sys.argv[1:])
