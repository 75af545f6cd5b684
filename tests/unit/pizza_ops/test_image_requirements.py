"""An image's requirements are the pinned distributions its handlers' import graph reaches."""

from __future__ import annotations

from pathlib import Path

import pytest

from pizza_ops.images import ServiceImage, image_requirements, reachable_imports, required_distributions

PINNED = ["boto3==1.43.106", "httpx==0.28.1", "pydantic==2.14.4"]


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_only_modules_a_handler_reaches_add_requirements(tmp_path: Path) -> None:
    # Given a library module nobody imports that needs httpx, and a service that imports boto3
    services = _write(
        tmp_path,
        {
            "lib/__init__.py": "",
            "lib/aws.py": "import json\nimport boto3\n",
            "lib/web.py": "import httpx\n",
            "svc/__init__.py": "",
            "svc/wiring.py": "from typing import TYPE_CHECKING\nfrom lib import aws\n"
            "if TYPE_CHECKING:\n    import httpx\n",
        },
    )
    # When the imports reachable from the service's handler are collected
    reached = reachable_imports(["svc.wiring.handler"], services)
    # Then boto3 is needed; httpx (unreached, or for type checkers only) and the standard library add nothing
    assert "boto3" in reached and not any(name.startswith("httpx") for name in reached)
    image = ServiceImage("svc", (), "svc.wiring.handler", ("svc.wiring.handler",))
    assert image_requirements(image, services, PINNED) == ["boto3==1.43.106"]


def test_an_import_no_distribution_provides_is_refused() -> None:
    # Given an import of something not installed; Then computing the image's needs fails, naming it
    with pytest.raises(LookupError, match="no_such_distribution"):
        required_distributions({"no_such_distribution.module"}, {"boto3": "boto3"}, local=())


def test_a_namespace_package_import_maps_to_the_distribution_of_its_module() -> None:
    # Given two distributions sharing the opentelemetry namespace
    providers = {"opentelemetry.trace": "opentelemetry-api", "opentelemetry.sdk.trace": "opentelemetry-sdk"}
    # Then each import maps to the one that provides its module
    found = required_distributions({"opentelemetry.sdk.trace.TracerProvider"}, providers, local=())
    assert found == {"opentelemetry-sdk"}
