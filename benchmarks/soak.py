"""The soak: `pizza load` at a steady rate for many orders (10,000 by default) while the resident
memory of every long-running process of the stack is sampled, then lost orders, duplicated
effects and each process's memory growth after warm-up, with a plot.

The stack is a fresh `pizza up` in a process of its own (its state in a temporary directory, on
free ports), so the trace receiver is measured alone, not with this script or the load; or, with
``--state-dir``, the stack already running there. `pizza load` runs in a process of its own too.
The stock of every pizza is topped up first, so the saga's orders do not run out. A benchmark, run
on demand (not in CI): figures printed and written to ``--out``, never asserted.

Two guards against the stack tipping over on two shared cores, where a burst of cold starts slows
every worker, more requests overlap, MiniStack starts a worker for each, and it never catches up
(219 order-API workers in three minutes of a 3/s run beside other test runs): ``--warm-up-orders``
(30, at 1/s) start each function's first workers before the soak, and `pizza load` keeps at most
``--connections`` (8) requests open, so at most that many API invocations at once; an order the
API cannot take on time then waits in the client and shows as send lag, not as a new worker.

    .venv/bin/python benchmarks/soak.py                               # 10,000 orders at 5/s: ~35 min
    .venv/bin/python benchmarks/soak.py --orders 300 --rate 5 --out /tmp/soak
    .venv/bin/python benchmarks/soak.py --state-dir .pizza           # the stack `pizza up` runs
    .venv/bin/python benchmarks/soak.py --report --out bench/soak    # draw and summarise again

Written to ``--out`` (default bench/soak): memory.csv (a row per process per sample), stack.csv
(the trace store's spans and bytes, the machine's load), memory.png, run.json (the settings, the
machine, and `pizza load --json`'s results) and summary.md (the same tables as printed).
``--report`` draws and summarises again what a run left in ``--out`` (one cut short included).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from bench_measures import machine_facts
from memory_summary import MemorySample, grouped_growth, growth_table, long_lived, memory_growth
from soak_plot import plot_soak
from stack_memory import MEMORY_CSV, STACK_CSV, StackMemorySampler, StackSample, read_samples

from pizza_ops.load.plan import LOAD_PIZZAS
from pizza_ops.repository import Repository

PIZZA = str(Path(sys.executable).with_name("pizza"))
DEPLOY_TIMEOUT_SECONDS = 900.0
RUN_JSON = "run.json"


def main() -> None:
    # SIGTERM (and a background job's ignored SIGINT) must still stop the stack this script started.
    signal.signal(signal.SIGTERM, _stop)
    args = _arguments()
    repository = Repository.find()
    out = (repository.root / args.out).resolve()
    if args.report:
        _report(out, json.loads((out / RUN_JSON).read_text(encoding="utf-8")))
        return
    out.mkdir(parents=True, exist_ok=True)
    run: dict[str, Any] = {
        "settings": {key: str(value) if isinstance(value, Path) else value for key, value in vars(args).items()},
        "machine": machine_facts(repository.root, repository.emulator_python),
    }
    with _stack(args.state_dir, args.max_spans, out) as state_dir:
        _pizza(state_dir, "restock", "--to", str(_stock_for(args.orders + args.warm_up_orders)))
        sampler = StackMemorySampler(state_dir, out, interval=args.interval)
        run["started"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        sampler.start()
        try:
            if args.warm_up_orders:
                run["warm_up"] = _load(state_dir, args, args.warm_up_orders, args.warm_up_rate)
            run["soak"] = _load(state_dir, args, args.orders, args.rate)
            _say(f"load finished; sampling {args.settle:g} s more while the stack settles")
            time.sleep(args.settle)
        finally:
            sampler.stop()
            (out / RUN_JSON).write_text(json.dumps(run, indent=2), encoding="utf-8")
    _report(out, run)


def _report(out: Path, run: dict[str, Any]) -> None:
    """memory.png and summary.md from the samples in ``out``, and the summary printed."""
    samples, stack = read_samples(out)
    settings = run["settings"]
    title = (
        f"{settings['orders']:,} orders at {settings['rate']:g}/s, {run.get('started', '?')}, "
        f"commit {run['machine']['commit']}"
    )
    plot_soak(samples, stack, title, out / "memory.png")
    lines = _summary(title, run, samples, stack)
    (out / "summary.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"\nwritten to {out}: {MEMORY_CSV}, {STACK_CSV}, memory.png, {RUN_JSON}, summary.md")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10_000, help="orders sent (default 10000)")
    parser.add_argument("--rate", type=float, default=5.0, help="orders per second (default 5)")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between samples (default 10)")
    parser.add_argument("--drain-timeout", type=float, default=900.0, help="pizza load's wait for final statuses")
    parser.add_argument("--warm-api", type=int, default=4, help="orders API environments warmed first (default 4)")
    parser.add_argument(
        "--connections", type=int, default=8, help="HTTP connections at most, so API calls at once (default 8)"
    )
    parser.add_argument("--settle", type=float, default=60.0, help="seconds sampled after the load ends (default 60)")
    parser.add_argument("--workflow", choices=("saga", "choreography"), default="saga")
    parser.add_argument("--max-spans", type=int, help="a fresh stack's trace store bound (default: pizza up's)")
    parser.add_argument("--state-dir", type=Path, help="soak the stack running from this state directory instead")
    parser.add_argument("--warm-up-orders", type=int, default=30, help="orders sent first, slowly (default 30)")
    parser.add_argument("--warm-up-rate", type=float, default=1.0, help="their orders per second (default 1)")
    parser.add_argument(
        "--out", type=Path, default=Path("bench/soak"), help="where the figures go (default bench/soak)"
    )
    parser.add_argument("--report", action="store_true", help="only draw and summarise the samples already in --out")
    args = parser.parse_args()
    if args.orders < 1 or args.warm_up_orders < 0 or min(args.rate, args.warm_up_rate, args.interval) <= 0:
        parser.error("--orders takes a whole number from 1, --rate, --warm-up-rate and --interval numbers above 0")
    return args


@contextlib.contextmanager
def _stack(state_dir: Path | None, max_spans: int | None, out: Path) -> Iterator[Path]:
    """The running stack's state directory, or a fresh `pizza up`'s, stopped on the way out."""
    if state_dir is not None:
        yield state_dir.resolve()
        return
    fresh = Path(tempfile.mkdtemp(prefix="pizza-soak-"))
    command = [PIZZA, "--state-dir", str(fresh), "up", "--emulator-port", "0", "--otlp-port", "0"]
    if max_spans is not None:
        command += ["--max-spans", str(max_spans)]
    _say(f"starting a fresh stack in {fresh} (its output: {out / 'pizza-up.log'})")
    with (out / "pizza-up.log").open("w", encoding="utf-8") as log:
        up = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_deployed(up, fresh / "stack.json")
        yield fresh
    finally:
        up.send_signal(signal.SIGTERM)  # pizza up stops its emulator, workers and receiver on SIGTERM
        try:
            up.wait(timeout=60)
        except subprocess.TimeoutExpired:
            up.kill()
            up.wait()


def _wait_deployed(up: subprocess.Popen[bytes], outputs: Path) -> None:
    deadline = time.monotonic() + DEPLOY_TIMEOUT_SECONDS
    while not outputs.exists():
        if up.poll() is not None:
            raise SystemExit(f"soak: pizza up exited with {up.returncode} before deploying (see pizza-up.log)")
        if time.monotonic() > deadline:
            raise SystemExit(f"soak: no deployment after {DEPLOY_TIMEOUT_SECONDS:g} s (see pizza-up.log)")
        time.sleep(1)
    _say("stack deployed")


def _stock_for(orders: int) -> int:
    """Enough of every pizza for the run (the load takes its pizzas in turn), at least the initial 1000."""
    return max(1000, math.ceil(orders / len(LOAD_PIZZAS)) + 100)


def _load(state_dir: Path, args: argparse.Namespace, orders: int, rate: float) -> dict[str, Any]:
    """`pizza load --json`'s result, or what went wrong when it printed none (the soak still reports)."""
    command = [
        *(PIZZA, "--state-dir", str(state_dir), "load", "--json", "--workflow", args.workflow),
        # The duration in full: 10,000 orders at 3/s is 3333.33... s, which "%g" cuts to 9,999 orders.
        *("--rate", repr(rate), "--duration", repr(orders / rate)),
        *("--drain-timeout", f"{args.drain_timeout:g}", "--warm-api", str(args.warm_api)),
        *("--connections", str(args.connections)),
    ]
    _say(" ".join(command[1:]))
    finished = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)  # progress on stderr
    if not finished.stdout.strip():
        return {"error": f"pizza load printed no result (exit {finished.returncode})"}
    return cast(dict[str, Any], json.loads(finished.stdout))


def _summary(title: str, run: dict[str, Any], samples: list[MemorySample], stack: list[StackSample]) -> list[str]:
    keys = ("planned", "sent", "accepted", "rejected", "stored_unanswered", "completed", "failed", "lost", "duplicated")
    loads = [(name, run[name]) for name in ("warm_up", "soak") if name in run]
    return [
        f"# Soak: {title}",
        "",
        "| load | " + " | ".join(keys) + " |",
        "|---|" + "---|" * len(keys),
        *(f"| {name} | " + " | ".join(_figure(result, key) for key in keys) + " |" for name, result in loads),
        *(f"\n{name}: {result['error']}" for name, result in loads if "error" in result),
        *(_latency_line(name, result) for name, result in loads if result.get("latency")),
        "",
        "## Resident memory",
        "",
        "Warm: at a tenth of each row's time. A function's workers are summed at each sample, so a pool",
        "that keeps more workers grows as one whose workers grow; the processes seen over nine tenths of",
        "the run follow, each alone.",
        "",
        *growth_table(grouped_growth(samples)),
        "",
        *growth_table([(row, 1) for row in long_lived(memory_growth(samples))]),
        "",
        "## Trace store and machine",
        "",
        *_stack_lines(stack),
        "",
        "Machine: " + ", ".join(f"{key} {value}" for key, value in run["machine"].items()),
    ]


def _latency_line(name: str, result: dict[str, Any]) -> str:
    order, api = result["latency"], result.get("api_latency") or {}
    return (
        f"\n{name}: order placed → final p50 {order['p50']:.2f} s, p99 {order['p99']:.2f} s; POST /orders answered "
        f"p50 {api.get('p50', 0):.2f} s, p99 {api.get('p99', 0):.2f} s; sent at {result['sent_rate']:.2f}/s"
    )


def _figure(result: dict[str, Any], key: str) -> str:
    """A count: a list's length, a breakdown's total with its parts."""
    value = result.get(key, "")
    if isinstance(value, list):
        return str(len(value))
    if isinstance(value, dict):
        parts = ", ".join(f"{part}: {count}" for part, count in value.items())
        return f"{sum(value.values())} ({parts})" if value else "0"
    return str(value)


def _stack_lines(samples: list[StackSample]) -> list[str]:
    spans = [s.spans for s in samples if s.spans is not None]
    loads = [s.load_average for s in samples]
    mib = [s.store_bytes / 2**20 for s in samples]
    if not samples:
        return ["no sample taken"]
    return [
        f"- spans held: at most {max(spans, default=0):,}, at the end {spans[-1] if spans else 0:,}",
        f"- span store on disk: at most {max(mib):.0f} MiB, at the end {mib[-1]:.0f} MiB",
        f"- machine load (1 min): mean {sum(loads) / len(loads):.2f}, at most {max(loads):.2f} on "
        f"{os.cpu_count()} cores (other sessions' tests share them)",
    ]


def _pizza(state_dir: Path, *arguments: str) -> None:
    subprocess.run([PIZZA, "--state-dir", str(state_dir), *arguments], check=True, stdout=subprocess.DEVNULL)


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks: the load and the stack are stopped


def _say(text: str) -> None:
    print(f"soak: {text}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
