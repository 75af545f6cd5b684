"""Cold start of every declared function beside a bare boto3 handler, in fresh interpreters.

For each function of infra/system.yaml, a fresh interpreter of the emulator's environment (the
layer) with only that function's zip contents on the path, extracted anew for every run as the
emulator's Lambda workers (and AWS) do, so no bytecode cache survives, and a realistic environment
(the declared variables with placeholder values, an OTLP endpoint, the Lambda runtime's own). It measures
(a) ``import <handler module>`` and (b) the full cold start: the import plus building the
composition root (settings, tracing, logger, clients, adapters; no event handled). The baseline,
measured in the same runs, is a bare handler module that imports boto3 and creates one client.
Runs are interleaved (every target once per round) so a busy machine slows them alike. Figures, not assertions.

    .venv/bin/python benchmarks/cold_imports.py --runs 9
    .venv/bin/python benchmarks/cold_imports.py --importtime order-api   # the heaviest imports of one
    .venv/bin/python benchmarks/cold_imports.py --services /tmp/old/services  # another version's code
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from benchmark_support import percentile

from pizza_ops.deploy.zips import build_zip
from pizza_ops.repository import Repository
from pizza_ops.system import load_system
from pizza_ops.system.functions import Function, LiteralValue

BASELINE = "bare boto3 handler"
_BARE_HANDLER = """import boto3

sqs = boto3.client("sqs")


def handler(event, context):
    return sqs.send_message(QueueUrl=event["queue"], MessageBody="x")
"""
# Run in the fresh interpreter: times the import, then the cold start (LambdaHandler.wired), in seconds.
_PROBE = """import importlib, json, sys, time
module, attribute = sys.argv[1], sys.argv[2]
start = time.perf_counter()
handler = getattr(importlib.import_module(module), attribute)
imported = time.perf_counter()
wired = getattr(handler, "wired", None)
if wired is not None:
    wired()
print(json.dumps({"import": imported - start, "cold_start": time.perf_counter() - start}))
"""
_REGION, _ACCOUNT = "us-east-1", "000000000000"
_ENDPOINT = "http://localhost.localstack.cloud:4566"


def placeholder_environment(name: str, function: Function, physical: str) -> dict[str, str]:
    """What the deployer gives the function (placeholders of the right shape for the resources),
    and what the Lambda runtime adds."""
    environment = {
        "AWS_REGION": _REGION,
        "AWS_DEFAULT_REGION": _REGION,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_ENDPOINT_URL": _ENDPOINT,
        "AWS_LAMBDA_FUNCTION_NAME": physical,
        "OTEL_SERVICE_NAME": function.service_name,
        "POWERTOOLS_SERVICE_NAME": function.service_name,
        # The embedded stack always exports to its receiver; nothing listens here, nothing is sent.
        "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318",
    }
    for key, value in function.environment.items():
        environment[key] = value.value if isinstance(value, LiteralValue) else _placeholder(*value.target)
    return environment


# A placeholder of the right shape per kind of resource a setting names ({name}: the declared
# name, {physical}: the deployed one); a kind not listed reads as an ARN of that service.
_PLACEHOLDERS = {
    "table": "{physical}",
    "bus": "{physical}",
    "schedule_group": "{physical}",
    "queue": _ENDPOINT + "/" + _ACCOUNT + "/{physical}",
    "bucket": "arn:aws:s3:::{physical}",
    "http_api": "https://{name}.execute-api." + _REGION + ".amazonaws.com",
    "websocket_api": "wss://{name}.execute-api." + _REGION + ".amazonaws.com/live",
    "websocket_api_management": "https://{name}.execute-api." + _REGION + ".amazonaws.com/live",
    "function_alias": f"arn:aws:lambda:{_REGION}:{_ACCOUNT}:function:{{physical}}:live",
    "key": f"arn:aws:kms:{_REGION}:{_ACCOUNT}:key/00000000-0000-0000-0000-000000000000",
    "queue_arn": f"arn:aws:sqs:{_REGION}:{_ACCOUNT}:{{physical}}",
    "schedule_role": f"arn:aws:iam::{_ACCOUNT}:role/{{physical}}",
}


def _placeholder(kind: str, name: str) -> str:
    shape = _PLACEHOLDERS.get(kind, f"arn:aws:{kind}:{_REGION}:{_ACCOUNT}:{{physical}}")
    return shape.format(name=name, physical=f"pizza-{name}")


class Target:
    """One thing to cold-start: a function's handler from its zip, or the bare baseline."""

    def __init__(self, label: str, files: Mapping[str, bytes], handler: str, environment: Mapping[str, str]) -> None:
        self.label = label
        self.files = files
        self.module, _, self.attribute = handler.rpartition(".")
        self.environment = dict(environment)

    def run(self, python: Path, scratch: Path, extra_args: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
        code = Path(tempfile.mkdtemp(dir=scratch))  # a fresh copy: no bytecode from an earlier run
        for relative, content in self.files.items():
            (code / relative).parent.mkdir(parents=True, exist_ok=True)
            (code / relative).write_bytes(content)
        try:
            return subprocess.run(
                [
                    str(python),
                    "-I",
                    *extra_args,
                    "-c",
                    f"import sys; sys.path.insert(0, {str(code)!r})\n{_PROBE}",
                    self.module,
                    self.attribute,
                ],
                capture_output=True,
                text=True,
                env=self.environment,
                timeout=120,
                check=False,
            )
        finally:
            shutil.rmtree(code)

    def measure(self, python: Path, scratch: Path) -> dict[str, float]:
        result = self.run(python, scratch)
        if result.returncode != 0:
            raise RuntimeError(f"{self.label} did not cold-start:\n{result.stderr[-3000:]}")
        return {key: value * 1000 for key, value in json.loads(result.stdout).items()}


def targets(services_dir: Path | None = None) -> list[Target]:
    system = load_system()
    baseline_env = placeholder_environment(BASELINE, next(iter(system.functions.values())), "bare")
    found = [Target(BASELINE, {"bare_handler.py": _BARE_HANDLER.encode()}, "bare_handler.handler", baseline_env)]
    zips = {}  # one zip per package, as the deployer builds them
    for package, extra in system.packages().items():
        archive = zipfile.ZipFile(io.BytesIO(build_zip(package, services_dir, extra)))
        zips[package] = {info.filename: archive.read(info) for info in archive.infolist()}
    for name, function in sorted(system.functions.items()):
        environment = placeholder_environment(name, function, system.physical_name(name))
        found.append(Target(name, zips[function.package], function.handler, environment))
    return found


def print_table(figures: Mapping[str, Mapping[str, list[float]]]) -> None:
    base = {kind: statistics.median(figures[BASELINE][kind]) for kind in ("import", "cold_start")}
    width = max(map(len, figures)) + 2
    print(
        f"{'function':<{width}}{'runs':>5}{'import p50':>12}{'p99':>8}{'x bare':>8}"
        f"{'cold start p50':>16}{'p99':>8}{'x bare':>8}   (ms, median of the runs)"
    )
    for label, kinds in figures.items():
        cells = []
        for kind in ("import", "cold_start"):
            values = kinds[kind]
            median = statistics.median(values)
            cells.append(f"{median:>{12 if kind == 'import' else 16}.0f}{percentile(values, 0.99):>8.0f}")
            cells.append(f"{median / base[kind]:>7.2f}x")
        print(f"{label:<{width}}{len(kinds['import']):>5}{''.join(cells)}")


def print_importtime(target: Target, python: Path, scratch: Path, top: int = 25) -> None:
    """The modules whose import took longest, with what they pulled in (cumulative), from -X importtime."""
    stderr = target.run(python, scratch, ("-X", "importtime")).stderr
    rows: list[tuple[int, int, str]] = []
    for line in stderr.splitlines()[1:]:
        if line.startswith("import time:"):
            own_us, cumulative_us, name = (part.strip() for part in line[len("import time:") :].split("|"))
            rows.append((int(cumulative_us), int(own_us), name))
    print(f"{target.label}: the {top} heaviest imports (cumulative, then own, in ms)")
    for cumulative, own, module in sorted(rows, reverse=True)[:top]:
        print(f"{cumulative / 1000:>8.1f}{own / 1000:>8.1f}  {module}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9, help="fresh interpreters per target (at least 7)")
    parser.add_argument("--only", nargs="*", default=None, help="function names to measure (default: all)")
    parser.add_argument("--importtime", metavar="FUNCTION", help="print the heaviest imports of one function")
    parser.add_argument("--services", type=Path, help="the services tree to zip (default: this checkout's)")
    args = parser.parse_args()
    python = Repository.find().emulator_python
    chosen = [t for t in targets(args.services) if t.label == BASELINE or args.only is None or t.label in args.only]
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        if args.importtime:
            [target] = [t for t in chosen if t.label == args.importtime]
            print_importtime(target, python, scratch)
            return
        print_table(measure(chosen, args.runs, python, scratch))


def measure(chosen: list[Target], runs: int, python: Path, scratch: Path) -> dict[str, dict[str, list[float]]]:
    """Per target, its import and cold start times in ms, one per run; runs interleaved."""
    figures: dict[str, dict[str, list[float]]] = {t.label: {"import": [], "cold_start": []} for t in chosen}
    for _ in range(runs):
        for target in chosen:
            for kind, value in target.measure(python, scratch).items():
                figures[target.label][kind].append(value)
    return figures


if __name__ == "__main__":
    main()
