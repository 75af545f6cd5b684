"""`pizza --help` and usage errors load none of the commands' dependencies: each command imports its own."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Modules only some commands need (the `ops` extra, and boto3 for those that talk to AWS).
HEAVY_MODULES = ("httpx", "yaml", "boto3", "botocore", "opentelemetry.proto", "hcl2", "pydantic")

# Run as `python -c _PROBE HEAVY,MODULES pizza-arguments...`.
_PROBE = """
import contextlib, io, json, sys
import pizza_ops.cli
heavy, argv = sys.argv[1].split(","), sys.argv[2:]
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        code = pizza_ops.cli.main(argv)
    except SystemExit as exit:
        code = exit.code
print(json.dumps({"code": code, "loaded": sorted(m for m in heavy if m in sys.modules)}))
"""


def _run_fresh(*argv: str) -> tuple[int, list[str]]:
    """Exit code of `pizza ARGV` run in a new interpreter, and which of HEAVY_MODULES it had loaded."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, ",".join(HEAVY_MODULES), *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    probe = json.loads(result.stdout)
    return int(probe["code"]), list(probe["loaded"])


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--help"],
        ["trace", "--help"],
        ["redrive", "kitchen-orders-dlq", "--rate", "0"],
        ["no-such-command"],
    ],
    ids=["no-arguments", "help", "command-help", "bad-option", "unknown-command"],
)
def test_help_and_usage_errors_import_no_command_dependency(argv: list[str]) -> None:
    # Given a fresh interpreter
    # When pizza_ops.cli is imported and run with help or a usage mistake
    code, loaded = _run_fresh(*argv)

    # Then it answered, without loading httpx, PyYAML, boto3, opentelemetry-proto or the like
    assert code in (0, 2)
    assert loaded == []


def test_a_command_that_runs_imports_what_it_needs() -> None:
    # Given a fresh interpreter (the probe above, which must be able to see an import)
    # When `pizza trace` runs against a query API nobody answers on
    code, loaded = _run_fresh("trace", "o-1", "--query-url", "http://127.0.0.1:9")

    # Then it failed as a runtime error, having imported httpx to try
    assert code == 1
    assert "httpx" in loaded
