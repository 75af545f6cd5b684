"""A handler's import loads what its cold start needs, not the heavy modules only some paths use.

Each declared handler is imported from its own zip in a fresh interpreter of the emulator's
environment, and its ``sys.modules`` is checked against the modules that must stay lazy: this fails
on the import that pulls one in again, whatever the machine's speed (benchmarks/cold_imports.py
prints the timings).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from pizza_ops.repository import Repository
from pizza_ops.system import load_system

SYSTEM = load_system()

# Never at import: each is loaded when it is used (the exporter and the AWS SDK instrumentation by
# the cold start, and only when tracing is configured for the exporter; httpx by the webhook sender).
LAZY_EVERYWHERE = {
    "opentelemetry.exporter.otlp.proto.http": "the OTLP exporter (configure_tracing imports it when configured)",
    "google.protobuf": "protobuf, which only the OTLP exporter uses",
    "requests": "requests, which only the OTLP exporter uses",
    "opentelemetry.instrumentation": "the AWS SDK instrumentation (installed by the cold start)",
    "httpx": "httpx (webhooks.webhook_http_client imports it)",
}
# (Powertools' batch utility stays imported by every SQS consumer, and with it Powertools' parser
# models, about 15 ms of a consumer's cold start: kept, as the canonical partial-batch handler.)
# Only a durable function runs under the durable SDK; starting an execution or answering its
# callback is a Lambda API call (integration_patterns.durable_functions).
DURABLE_SDK = "aws_durable_execution_sdk_python"


def _modules_after_import(zip_path: Path, module: str) -> set[str]:
    probe = (
        "import importlib, json, sys\n"
        f"sys.path.insert(0, {str(zip_path)!r})\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    python = Repository.find().emulator_python
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return set(json.loads(result.stdout))


def _loaded(modules: set[str], name: str) -> bool:
    return any(loaded == name or loaded.startswith(f"{name}.") for loaded in modules)


@pytest.mark.parametrize("function", sorted(SYSTEM.functions))
def test_importing_the_handler_loads_no_module_that_should_be_lazy(function: str, zips: dict[str, Path]) -> None:
    # Given the function's handler module, imported from its zip alone in a fresh interpreter
    declared = SYSTEM.functions[function]
    modules = _modules_after_import(zips[declared.package], declared.handler.rpartition(".")[0])

    # Then none of the modules that must stay lazy is loaded, and the durable SDK only in a durable function
    pulled = [f"{name} ({why})" for name, why in LAZY_EVERYWHERE.items() if _loaded(modules, name)]
    if declared.durable is None and _loaded(modules, DURABLE_SDK):
        pulled.append(f"{DURABLE_SDK} (the durable SDK, in a function that is not durable)")
    assert not pulled, f"{declared.handler} imports at cold start: {', '.join(pulled)}"
