"""`make bench`: the performance suite on a fresh embedded stack, written to bench/report.md with plots.

In one run, on one emulator: the bare chain (benchmarks/bare_chain, the floor) and the system's
two workflows loaded at each rate of ``--rates`` for ``--seconds`` each (open loop: every order
sent when due), then each at ``--sustained-rate`` for ``--sustained-seconds``; the CPU time of every
process of the stack per order; the outbox relay's events/s batched and one at a time; the cold
import and cold start of every function beside a bare boto3 handler. With ``--baseline-ref`` (by
default the last commit before the performance work), that commit's services and declaration are
deployed on a second fresh stack and measured the same way at ``--baseline-rate``, with the bare
chain beside them, so "today's" figures are measured in the same run too.

Latency: order → ACKNOWLEDGED (choreography) or CONFIRMED (saga) from the order's own placedAt and
history; bare chain: first handler → stored, from the stored item. Figures, never assertions:
bench/report.md says which target is met and by how much one is missed.

    make bench                                   # everything: 67 min on 2 cores (2026-12-04)
    .venv/bin/python benchmarks/suite.py --rates 5,20 --seconds 5 --sustained-seconds 10 --runs 3
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import bench_report
import cold_imports
import outbox_relay_throughput
from bare_floor import BareChain, deploy_bare_chain, run_bare
from bench_measures import (
    CpuSample,
    RunFigures,
    StackCpu,
    bare_figures,
    load_figures,
    machine_facts,
    wait_until_idle,
)
from benchmark_support import embedded_stack

from pizza_ops.load.plan import Workflow
from pizza_ops.repository import Repository
from pizza_ops.stack import EmbeddedStack, EmbeddedStackConfig
from pizza_ops.system.declaration import load_system

# The last commit before the performance work (issue 14): "today's" figures of the issue.
BASELINE_REF = "f24dd14"
# Environments of each chain's HTTP function made ready before every run (requests at once), so
# the figures are of warm functions: on two cores a burst of cold starts slows the warm ones and
# feeds itself (see LoadPlan.warm_api). --warm 0 measures without.
WARM_ENVIRONMENTS = 8
# Each run starts once the last one's backlog is worked through, waiting at most this long.
SETTLE_TIMEOUT = 300.0
T = TypeVar("T")


def main() -> None:
    args = _arguments()
    repository = Repository.find()
    out = repository.root / args.out
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {
        "machine": machine_facts(repository.root, repository.emulator_python),
        "settings": vars(args) | {"out": None},
    }
    with embedded_stack() as stack:
        _say(f"stack up at {stack.emulator.endpoint}; deploying the bare chain beside it")
        chain = deploy_bare_chain(stack)
        cpu = StackCpu()
        runs: list[RunFigures] = []

        def bare(rate: float, seconds: float) -> None:
            runs.append(_bare_run(cpu, chain, rate, seconds, args.warm))

        def system(workflow: Workflow, rate: float, seconds: float) -> None:
            runs.append(_system_run(cpu, stack, workflow, rate, seconds, args.warm, args.drain_timeout))

        bare(5, 3)  # warm-up of every worker, not reported
        system("choreography", 5, 3)
        system("saga", 2, 3)
        runs.clear()
        for rate in args.rates:
            bare(rate, args.seconds)
            system("choreography", rate, args.seconds)
        bare(args.sustained_rate, args.sustained_seconds)
        system("choreography", args.sustained_rate, args.sustained_seconds)
        # The saga last: at high rates it can leave durable executions behind that would slow the rest.
        for rate in args.saga_rates:
            system("saga", rate, args.seconds)
        if args.sustained_rate in args.saga_rates:
            system("saga", args.sustained_rate, args.sustained_seconds)
        results["runs"] = [dataclasses.asdict(run) for run in runs]
        _say("outbox relay: batched and one at a time")
        relay = outbox_relay_throughput.measure(stack.emulator.endpoint, rounds=args.relay_rounds)
        results["relay"] = dataclasses.asdict(relay)
    _say("cold imports and cold starts")
    results["cold_imports"] = _cold_imports(args.runs, None)
    if args.baseline_ref:
        with _checkout(repository.root, args.baseline_ref) as old:
            results["baseline"] = _baseline(args, old) | {"ref": args.baseline_ref}
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    bench_report.write(results, out)
    _say(f"wrote {out / 'report.md'} and its plots")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    rates = lambda text: [float(part) for part in text.split(",")]  # noqa: E731
    parser.add_argument("--rates", type=rates, default=[5, 10, 20, 30, 40], help="orders/s, comma-separated")
    parser.add_argument(
        "--saga-rates",
        type=rates,
        default=[5, 10, 20, 30, 40],
        help="the saga's (and its sustained run if it holds --sustained-rate)",
    )
    parser.add_argument("--seconds", type=float, default=10, help="how long each rate of the sweep lasts")
    parser.add_argument("--drain-timeout", type=float, default=180, help="seconds a run waits for its last orders")
    parser.add_argument("--sustained-rate", type=float, default=30)
    parser.add_argument("--sustained-seconds", type=float, default=60)
    parser.add_argument("--runs", type=int, default=9, help="fresh interpreters per function (cold imports)")
    parser.add_argument("--relay-rounds", type=int, default=5)
    parser.add_argument("--baseline-ref", default=BASELINE_REF, help="commit measured as today's ('' for none)")
    parser.add_argument("--baseline-rate", type=float, default=20)
    parser.add_argument("--warm", type=int, default=WARM_ENVIRONMENTS, help="environments made ready per run")
    parser.add_argument("--out", default="bench", help="the report's directory, in the checkout")
    return parser.parse_args()


def _measured(
    cpu: StackCpu, name: str, rate: float, seconds: float, run: Callable[[Callable[[], None]], T]
) -> tuple[T, CpuSample, float]:
    """``run(finished)`` on an idle stack, measured: CPU and wall time from its start to when it
    calls ``finished`` (every order final, before a load run's counting scans the tables), or to
    its end."""
    idle, waited = wait_until_idle(cpu, SETTLE_TIMEOUT)
    _say(f"{name} at {rate:g}/s for {seconds:g} s" + ("" if idle else f" (the stack still busy after {waited:.0f} s)"))
    before = cpu.sample()
    started = time.monotonic()
    end: list[tuple[CpuSample, float]] = []

    def finished() -> None:
        if not end:
            end.append((cpu.sample(), time.monotonic()))

    result = run(finished)
    finished()
    after, stopped = end[0]
    return result, after - before, stopped - started


def _bare_run(cpu: StackCpu, chain: BareChain, rate: float, seconds: float, warm: int) -> RunFigures:
    run, used, wall = _measured(cpu, "bare chain", rate, seconds, lambda _: run_bare(chain, rate, seconds, warm))
    return bare_figures(rate, seconds, run, used, wall)


def _system_run(
    cpu: StackCpu,
    stack: EmbeddedStack,
    workflow: Workflow,
    rate: float,
    seconds: float,
    warm: int,
    drain_timeout: float = 180,
) -> RunFigures:
    """`pizza load` against the stack, in a process of its own: its CPU is not the stack's, and it
    does not share the trace receiver's interpreter (and GIL) as it would in this process."""
    command = [
        str(Path(sys.executable).with_name("pizza")),
        *("--state-dir", str(stack.config.state_dir), "load", "--json", "--workflow", workflow),
        *("--rate", f"{rate:g}", "--duration", f"{seconds:g}", "--drain-timeout", f"{drain_timeout:g}"),
        *("--warm-api", str(warm)),
    ]

    def load(finished: Callable[[], None]) -> dict[str, Any]:
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as running:
            assert running.stdout is not None and running.stderr is not None
            for line in running.stderr:
                # One progress line per phase when piped: counting the effects (table scans) is not the run's.
                if line.startswith(("effects", "done")):
                    finished()
            document = running.stdout.read()
        if not document.strip():
            raise SystemExit(f"bench: pizza load printed no result (exit {running.returncode})")
        return cast(dict[str, Any], json.loads(document))

    result, used, wall = _measured(cpu, workflow, rate, seconds, load)
    return load_figures(workflow, rate, seconds, result, used, wall)


def _cold_imports(runs: int, services: Path | None) -> dict[str, dict[str, list[float]]]:
    python = Repository.find().emulator_python
    with tempfile.TemporaryDirectory() as scratch:
        return cold_imports.measure(cold_imports.targets(services), runs, python, Path(scratch))


def _baseline(args: argparse.Namespace, old: Path) -> dict[str, object]:
    """The old commit's services and declaration on a fresh stack: choreography and the bare chain
    at the baseline rate, with CPU per order; and its cold imports."""
    _say(f"baseline {args.baseline_ref}: its services on a fresh stack")
    config = EmbeddedStackConfig(
        state_dir=Path(tempfile.mkdtemp()),
        emulator_port=0,
        otlp_port=0,
        services_dir=old / "services",
        system=load_system(old / "infra" / "system.yaml"),
    )
    runs: list[RunFigures] = []
    with EmbeddedStack(config) as stack:
        chain = deploy_bare_chain(stack)
        cpu = StackCpu()
        rate, seconds = args.baseline_rate, args.seconds
        _bare_run(cpu, chain, 5, 3, args.warm)  # warm-up
        _system_run(cpu, stack, "choreography", 5, 3, args.warm)
        runs.append(_bare_run(cpu, chain, rate, seconds, args.warm))
        runs.append(_system_run(cpu, stack, "choreography", rate, seconds, args.warm))
    _say(f"baseline {args.baseline_ref}: cold imports")
    return {
        "runs": [dataclasses.asdict(run) for run in runs],
        "cold_imports": _cold_imports(args.runs, old / "services"),
    }


@contextlib.contextmanager
def _checkout(root: Path, ref: str) -> Iterator[Path]:
    """``ref``'s services/ and infra/system.yaml in a temporary directory."""
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", ref, "services", "infra/system.yaml"], capture_output=True, check=False
    )
    if archive.returncode != 0:
        raise SystemExit(f"bench: cannot read {ref} from git: {archive.stderr.decode().strip()}")
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as directory:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(directory, filter="data")
        yield Path(directory)


def _say(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
