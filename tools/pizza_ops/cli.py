"""`pizza`: run the embedded stack, deploy, inspect traces, redrive dead-letter queues, resend stuck outbox events."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from pizza_ops.repository import Repository, RepositoryNotFound
from pizza_ops.trace_store_options import add_max_spans_option

# Each command imports what it needs when it runs, so `pizza --help` or a mistyped option costs
# nothing and needs none of the dependencies (boto3, httpx, PyYAML, opentelemetry-proto).
if TYPE_CHECKING:
    from pizza_ops.catalog import Catalog
    from pizza_ops.deployed_stack import DeployedStack
    from pizza_ops.stack import EmbeddedStack
    from pizza_ops.system import SystemDeclaration
    from pizza_ops.telemetry import SpanStore, StoredSpan

# How a run ends when its reader went away (`pizza trace ... | head`): as if killed by SIGPIPE.
BROKEN_PIPE_EXIT = 128 + signal.SIGPIPE
# The two ways a placed order can go through (the orders API's ORDER_WORKFLOW).
WORKFLOWS = ("saga", "choreography")
# The most messages per second SQS's StartMessageMoveTask accepts.
MAX_REDRIVE_RATE = 500
# Chaos runs faults beside the load on one machine; above this the load generator itself, not the
# scenario, decides what is lost (see `pizza load` figures in the README).
MAX_CHAOS_RATE = 50


class CliError(Exception):
    """A failure reported as one line, `pizza: <reason>`: exit 1 for the state of things (no stack
    running, an endpoint unreachable), 2 for the command line (a bad option, an unknown name)."""

    def __init__(self, reason: str, exit_code: int = 1) -> None:
        super().__init__(reason)
        self.exit_code = exit_code


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see `{self.prog} --help`)", exit_code=2)


def _repository(args: argparse.Namespace) -> Repository:
    try:
        return Repository.at(args.repo) if args.repo else Repository.find()
    except RepositoryNotFound as error:
        raise CliError(str(error), exit_code=2) from None


def _state_dir(args: argparse.Namespace) -> Path:
    return args.state_dir if args.state_dir is not None else _repository(args).state_dir


def _system(args: argparse.Namespace) -> SystemDeclaration:
    from pizza_ops.system import load_system

    system = load_system(_repository(args).declaration)
    return system.with_fifo("kitchen-orders", True) if getattr(args, "fifo_kitchen_queue", False) else system


def _workflow_environment(args: argparse.Namespace) -> dict[str, dict[str, str]]:
    """--workflow: which way the orders API sends a placed order (infra/system.yaml's ORDER_WORKFLOW)."""
    return {"order-api": {"ORDER_WORKFLOW": args.workflow}} if args.workflow else {}


def _deployed(args: argparse.Namespace) -> DeployedStack:
    from pizza_ops.deployed_stack import DeployedStack

    try:
        return DeployedStack(_state_dir(args))
    except FileNotFoundError as error:  # nothing deployed from this state directory
        raise CliError(str(error)) from None


@contextlib.contextmanager
def _names_checked() -> Iterator[None]:
    from pizza_ops.deployed_stack import UnknownName

    try:
        yield
    except UnknownName as error:
        raise CliError(str(error), exit_code=2) from None


@contextlib.contextmanager
def _aws_errors(stack: DeployedStack) -> Iterator[None]:
    """AWS calls that fail as one line: an endpoint nobody answers on is most likely a stopped stack."""
    from botocore.exceptions import BotoCoreError, ClientError, EndpointConnectionError

    try:
        yield
    except EndpointConnectionError:
        where = stack.outputs.endpoint or f"AWS ({stack.outputs.region})"
        raise CliError(f"cannot reach {where}: is the stack running? (`pizza up` starts it)") from None
    except (BotoCoreError, ClientError) as error:
        raise CliError(str(error)) from None


def cmd_up(args: argparse.Namespace) -> int:
    import errno

    from pizza_ops.stack import EmbeddedStack, EmbeddedStackConfig
    from pizza_ops.stack_lock import StackAlreadyRunning

    repository = _repository(args)
    config = EmbeddedStackConfig(
        state_dir=_state_dir(args),
        emulator_python=repository.emulator_python,
        services_dir=repository.services,
        emulator_port=args.emulator_port,
        otlp_port=args.otlp_port,
        system=_system(args),
        extra_environment=_workflow_environment(args),
        max_spans=args.max_spans,
        persist_emulator_state=args.persist_emulator_state,
    )
    try:
        with EmbeddedStack(config) as stack:
            _serve_until_stopped(stack)
    except StackAlreadyRunning as error:
        raise CliError(str(error)) from None
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        raise CliError(f"a port is already in use ({error}); pick others with --emulator-port/--otlp-port") from None
    return 0


def _serve_until_stopped(stack: EmbeddedStack) -> None:
    assert stack.outputs is not None
    api = stack.outputs.api_urls["orders"]
    print(
        f"""
Embedded stack is up (Ctrl-C stops it).
  AWS emulator (MiniStack): {stack.emulator.endpoint}   log: {stack.emulator.log_path}
  OTLP trace receiver:      {stack.receiver.endpoint}/v1/traces
  Orders API:               {api}
  Live order page:          {stack.receiver.page_url}

Try it:
  export API={api}
  curl -s -X POST $API/orders -H 'content-type: application/json' \\
    -d '{{"customerId":"c-1","orderType":"collection","items":[{{"pizza":"Margherita","quantity":2}}]}}'
  curl -s $API/orders/<orderId>
  .venv/bin/pizza trace <orderId>       (as a waterfall: {stack.receiver.page_url}#/trace/<orderId>)
""",
        flush=True,
    )
    # SIGTERM takes the same path as Ctrl-C, so the emulator and receiver are stopped on exit.
    signal.signal(signal.SIGTERM, _interrupt)
    # SIGHUP: restart the emulator, its state kept (pizza_ops.emulator_restarts; pizza chaos asks).
    from pizza_ops.emulator_restarts import RESTART_SIGNAL

    restarts: list[int] = []
    signal.signal(RESTART_SIGNAL, lambda signum, frame: restarts.append(signum))
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            signal.pause()
            while restarts:
                restarts.pop()
                _restart_emulator(stack)


def _restart_emulator(stack: EmbeddedStack) -> None:
    from pizza_ops.emulator_restarts import CannotRestart

    try:
        restart = stack.restart_emulator()
    except (CannotRestart, OSError, RuntimeError) as error:  # recorded for the asker; the stack serves on
        print(f"emulator restart failed: {error}", file=sys.stderr, flush=True)
        return
    lacking = f"; the deployment lacks {', '.join(restart.missing)}" if restart.missing else ""
    print(f"emulator restarted with its state ({restart.down_seconds:.1f} s down){lacking}", flush=True)


def _interrupt(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the clean-up short
    raise KeyboardInterrupt


def cmd_deploy(args: argparse.Namespace) -> int:
    import dataclasses

    from botocore.exceptions import BotoCoreError, ClientError

    from pizza_ops.deploy.deployer import Deployer, DeployOptions
    from pizza_ops.stack import OUTPUTS_FILE, session_for

    options = DeployOptions(
        endpoint=args.endpoint,
        otlp_endpoint=args.otlp_endpoint,
        region=args.region,
        services_dir=_repository(args).services,
        extra_environment=_workflow_environment(args),
    )
    try:
        outputs = Deployer(_system(args), options, session_for(args.endpoint, args.region)).deploy()
    except (BotoCoreError, ClientError) as error:
        raise CliError(f"deploy to {args.endpoint or 'AWS'} failed: {error}") from None
    outputs = dataclasses.replace(outputs, trace_query_url=args.trace_query_url)
    outputs.save(_state_dir(args) / OUTPUTS_FILE)
    print(f"Orders API: {outputs.api_urls['orders']}")
    return 0


def _query_url(args: argparse.Namespace) -> str:
    if args.query_url:
        return str(args.query_url)
    query_url = _deployed(args).outputs.trace_query_url
    if not query_url:
        raise CliError("no trace query URL recorded: pass --query-url (Jaeger: http://127.0.0.1:16686)", exit_code=2)
    return query_url


@contextlib.contextmanager
def _query_errors(query_url: str) -> Iterator[None]:
    import httpx

    try:
        yield
    except httpx.TransportError:
        raise CliError(f"cannot reach the trace query API at {query_url}: is the stack running?") from None
    except httpx.HTTPStatusError as error:
        raise CliError(f"the trace query API at {query_url} answered {error.response.status_code}") from None


def cmd_trace(args: argparse.Namespace) -> int:
    import httpx

    from pizza_ops.telemetry import JaegerQueryClient, render_tree, traces_of_order

    query_url = _query_url(args)
    with _query_errors(query_url), httpx.Client(timeout=10) as http:
        traces = traces_of_order(JaegerQueryClient(query_url, http), args.order_id)
    if not traces:
        raise CliError(f"no trace found for order {args.order_id} at {query_url}")
    spans = [span for found in traces for span in found.spans]
    if args.batch_calls:
        spans += _batch_call_spans(_state_dir(args), {found.trace_id for found in traces})
    # One rendering of all traces, so a consumer's link shows in the publisher's trace as well.
    print(render_tree(spans))
    return 0


def _batch_call_spans(state_dir: Path, order_traces: set[str]) -> list[StoredSpan]:
    """The traces of the batch calls (the outbox relay's sends and marks) that link into the
    order's traces. A batch call names no order, so the Jaeger query API cannot find it: only the
    embedded stack's span store can, by its links."""
    from pizza_ops.telemetry import ORDER_ID_TAG, stack_span_store

    with stack_span_store(state_dir) as store:
        if store is None:
            raise CliError(f"--batch-calls reads the embedded stack's span store, and {state_dir} has none")
        linking = {span.trace_id for trace_id in sorted(order_traces) for span in store.spans_linking_to(trace_id)}
        batch_traces = [store.spans_of_trace(trace_id) for trace_id in sorted(linking - order_traces)]
    return [
        span for spans in batch_traces if not any(ORDER_ID_TAG in span.attributes for span in spans) for span in spans
    ]


def cmd_consumers(args: argparse.Namespace) -> int:
    from datetime import timedelta

    import httpx

    from pizza_ops.telemetry import JaegerQueryClient, consumers_of, render_consumers

    if not args.event_type:
        raise CliError("an event type (or a prefix of one) is required", exit_code=2)
    query_url = _query_url(args)
    lookback = timedelta(hours=args.hours)
    with _query_errors(query_url), httpx.Client(timeout=10) as http:
        consumers = consumers_of(
            JaegerQueryClient(query_url, http), args.event_type, limit=args.limit, lookback=lookback
        )
    if not consumers:
        raise CliError(f"no CONSUMER spans of {args.event_type} seen at {query_url}")
    print(render_consumers(args.event_type, consumers))
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    """Writes (and validates) the event catalog, or with --check compares it with telemetry."""
    from importlib.metadata import version

    from pizza_ops.catalog import CatalogMismatch, build_catalog
    from pizza_ops.system import load_system

    repository = _repository(args)
    system = load_system(repository.declaration)
    try:
        catalog = build_catalog(system, version("pizza-integration-patterns"))
    except CatalogMismatch as mismatch:
        raise CliError(f"the code and infra/system.yaml disagree about what is published:\n{mismatch}") from None
    if args.check:
        return _check_catalog(args, system, catalog)
    for path in catalog.write(args.out or repository.root / "docs" / "catalog"):
        print(path)
    return _validate_catalog(repository, args.out or repository.root / "docs" / "catalog")


def _check_catalog(args: argparse.Namespace, system: SystemDeclaration, catalog: Catalog) -> int:
    from datetime import timedelta

    import httpx

    from pizza_ops.catalog.check import check_catalog, render_check
    from pizza_ops.system.event_channels import declared_consumers
    from pizza_ops.telemetry import JaegerQueryClient, consumers_of

    query_url = _query_url(args)
    lookback = timedelta(hours=args.hours)
    with _query_errors(query_url), httpx.Client(timeout=10) as http:
        client = JaegerQueryClient(query_url, http)
        check = check_catalog(
            declared_consumers(system),
            catalog.published,
            lambda event_type: consumers_of(client, event_type, limit=args.limit, lookback=lookback),
        )
    print(render_check(check))
    return 1 if check.differences else 0


def _validate_catalog(repository: Repository, out_dir: Path) -> int:
    from pizza_ops.catalog import DOCUMENT_FILE
    from pizza_ops.catalog.validation import AsyncApiValidatorMissing, validate_asyncapi

    try:
        validation = validate_asyncapi(out_dir / DOCUMENT_FILE, repository.root)
    except AsyncApiValidatorMissing as missing:
        raise CliError(str(missing)) from None
    for line in (*validation.errors, *validation.warnings):
        print(line, file=sys.stderr)
    if not validation.ok:
        raise CliError(
            f"{out_dir / DOCUMENT_FILE} is not a valid AsyncAPI 3.0 document ({len(validation.errors)} errors)"
        )
    print(f"valid AsyncAPI 3.0, by the AsyncAPI parser ({len(validation.warnings)} notes below error, on stderr)")
    return 0


def cmd_diagram(args: argparse.Namespace) -> int:
    """Draws the architecture picture from the declaration (SVG and PNG)."""
    from pizza_ops.diagram import GraphvizMissing, write_diagram
    from pizza_ops.system import load_system

    repository = _repository(args)
    try:
        written = write_diagram(load_system(repository.declaration), args.out or repository.root / "docs")
    except GraphvizMissing as missing:
        raise CliError(str(missing)) from None
    for path in written:
        print(path)
    return 0


def cmd_saga(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from pizza_ops.saga_history import NoSuchExecution, find_execution, render_saga, saga_history

    deployed = _deployed(args)
    with _names_checked():
        function_name = deployed.function("order-saga")
    lambda_client = deployed.client("lambda")
    try:
        history = saga_history(lambda_client, find_execution(lambda_client, function_name, args.order_id))
    except NoSuchExecution as error:
        raise CliError(f"{error} (was it placed with ORDER_WORKFLOW=saga?)") from None
    except (BotoCoreError, ClientError) as error:
        raise CliError(f"cannot read the saga's executions: {error}") from None
    print(render_saga(args.order_id, history))
    return 0


def cmd_dlq(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from pizza_ops.dead_letters import dead_letter_queues, depths, peek, render, render_messages

    deployed, system = _deployed(args), _system(args)
    sqs = deployed.client("sqs")
    try:
        if args.show:
            if args.show not in dead_letter_queues(system):
                known = ", ".join(sorted(dead_letter_queues(system)))
                raise CliError(f"{args.show!r} is no declared dead-letter queue; known: {known}", exit_code=2)
            with _names_checked():
                url = deployed.queue_url(args.show)
            print(render_messages(args.show, peek(sqs, url)))
        else:
            print(render(depths(sqs, deployed.outputs.queue_urls, system)))
    except (BotoCoreError, ClientError) as error:
        raise CliError(f"cannot read the dead-letter queues: {error}") from None
    return 0


def cmd_tap(args: argparse.Namespace) -> int:
    from pizza_ops.tap import claim_reader, tap

    deployed = _deployed(args)
    outputs = deployed.outputs
    if "order-events" not in outputs.topic_arns or "claim-checks" not in outputs.bucket_names:
        raise CliError("the recorded deployment has no order-events topic or claim-checks bucket: deploy it again")
    read_claim = claim_reader(deployed.client("s3"), outputs.bucket_names["claim-checks"])
    with _aws_errors(deployed):
        print(f"Tapping {outputs.topic_arns['order-events']} for {args.seconds:g} s ...", flush=True)
        topic = outputs.topic_arns["order-events"]
        for rendered in tap(deployed.client("sqs"), deployed.client("sns"), topic, args.seconds, read_claim):
            print(rendered, flush=True)
    return 0


def cmd_restock(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from inventory_service.dynamodb_stock import DynamoDbStockLedger
    from inventory_service.use_cases import restock
    from order_service.domain.menu import is_on_the_menu, menu

    pizzas = args.pizza or list(menu())
    unknown = [pizza for pizza in pizzas if not is_on_the_menu(pizza)]
    if unknown:
        raise CliError(f"not on the menu: {', '.join(unknown)} (see GET /menu)", exit_code=2)
    deployed = _deployed(args)
    with _names_checked():
        ledger = DynamoDbStockLedger(
            deployed.client("dynamodb"),
            deployed.table("inventory-stock"),
            deployed.table("inventory-reservations"),
            args.initial_stock,
        )
    try:
        levels = restock(pizzas, args.to if args.to is not None else args.initial_stock, ledger)
    except (BotoCoreError, ClientError) as error:
        raise CliError(f"cannot restock: {error}") from None
    width = max(len(pizza) for pizza in levels) + 2
    print(f"{'PIZZA':<{width}}{'BEFORE':>8}{'AFTER':>8}")
    for pizza, (before, after) in levels.items():
        print(f"{pizza:<{width}}{before:>8}{after:>8}")
    return 0


def cmd_redrive(args: argparse.Namespace) -> int:
    from pizza_ops.redrive import NotADeadLetterQueue, redrive

    stack = _deployed(args)
    with _names_checked():
        dlq_url = stack.queue_url(args.queue)
    try:
        with _aws_errors(stack):
            result = redrive(stack.client("sqs"), dlq_url, args.rate, prefer_server_side=not args.client_side)
    except NotADeadLetterQueue:
        hint = f"; did you mean {args.queue}-dlq?" if f"{args.queue}-dlq" in stack.outputs.queue_urls else ""
        reason = f"{args.queue} is not a dead-letter queue (no queue's redrive policy names it){hint}"
        raise CliError(reason, exit_code=2) from None
    except ValueError as error:  # a DLQ of several queues, which only a server-side move sorts out
        raise CliError(str(error)) from None
    if result.method == "server-side":
        print(f"started SQS message move task {result.task_handle} at {args.rate} msg/s")
    else:
        noun = "message" if result.moved == 1 else "messages"
        print(f"moved {result.moved} {noun} back to their source queue at up to {args.rate} msg/s (client-side)")
    return 0


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 1 <= seconds <= 3600:
        raise argparse.ArgumentTypeError("between 1 and 3600 seconds")
    return seconds


def _rate(text: str) -> int:
    try:
        rate = int(text)
    except ValueError:
        rate = 0
    if not 1 <= rate <= MAX_REDRIVE_RATE:
        raise argparse.ArgumentTypeError(f"messages per second must be a whole number from 1 to {MAX_REDRIVE_RATE}")
    return rate


def cmd_outbox(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    from pizza_ops.outbox import backlog_of, render_backlog, render_resends, resend, scan_pending

    stack = _deployed(args)
    with _names_checked():
        table = stack.table(args.table)
    dynamodb = stack.client("dynamodb")
    now = datetime.now(UTC)
    with _aws_errors(stack):
        backlog = backlog_of(scan_pending(dynamodb, table), now, timedelta(seconds=args.older_than))
        print(render_backlog(table, backlog, now))
        if args.resend and backlog.stuck:
            print(render_resends(resend(dynamodb, table, backlog.stuck, now)))
    return 0


def cmd_set_env(args: argparse.Namespace) -> int:
    from pizza_ops.function_settings import set_environment

    stack = _deployed(args)
    with _names_checked():
        name = stack.function(args.function)
    changes = dict(assignment.split("=", 1) for assignment in args.assignments)
    declared = _system(args).functions.get(args.function)
    alias = declared.durable.alias if declared is not None and declared.durable is not None else None
    with _aws_errors(stack):
        set_environment(stack.client("lambda"), name, changes, alias)
    print(f"{name}: " + ", ".join(f"{key}={value!r}" for key, value in changes.items()))
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    import dataclasses

    from pizza_ops.load import BadPlan, LoadPlan, ProgressLine, render_result, result_as_json

    try:  # checked before anything on the stack changes, and before httpx and boto3 are loaded
        plan = LoadPlan(
            rate=args.rate,
            duration=args.duration,
            workflow=args.workflow or "saga",
            drain_timeout=args.drain_timeout,
            delivery_share=args.delivery_share,
            connections=args.connections,
            warm_api=args.warm_api,
        )
    except BadPlan as error:
        raise CliError(str(error), exit_code=2) from None
    from pizza_ops.load.wiring import OrdersApiUnreachable, UnknownWorkflow, run_on_stack, workflow_for_run

    stack = _deployed(args)
    progress = ProgressLine(sys.stderr)
    try:
        with _names_checked(), _aws_errors(stack), workflow_for_run(stack, args.workflow) as workflow:
            result = run_on_stack(dataclasses.replace(plan, workflow=workflow), stack, progress)
    except (OrdersApiUnreachable, UnknownWorkflow) as error:
        raise CliError(str(error)) from None
    finally:
        progress.close()
    print(result_as_json(result) if args.json else render_result(result, args.list))
    return 0 if result.ok else 1


def cmd_chaos(args: argparse.Namespace) -> int:
    from pizza_ops.chaos import render_scenarios, scenarios

    known = scenarios()
    if args.list or args.scenario is None:
        print(render_scenarios(known))
        return 0
    if args.scenario not in known:
        raise CliError(f"no scenario {args.scenario!r}; known: {', '.join(known)}", exit_code=2)
    if args.orders < 1 or not 0 < args.rate <= MAX_CHAOS_RATE:
        raise CliError(
            f"--orders takes a whole number from 1 and --rate a number of orders/s up to {MAX_CHAOS_RATE}", exit_code=2
        )
    from pizza_ops.chaos import CannotStart, ChaosRun, render_chaos
    from pizza_ops.load import ProgressLine
    from pizza_ops.load.wiring import OrdersApiUnreachable, UnknownWorkflow, workflow_for_run

    stack = _deployed(args)
    progress = ProgressLine(sys.stderr)
    try:
        with _names_checked(), _aws_errors(stack), workflow_for_run(stack, args.workflow) as workflow:
            run = ChaosRun(stack, _system(args), args.orders, args.rate, workflow, progress)
            result = known[args.scenario].run(run)
    except (CannotStart, OrdersApiUnreachable, UnknownWorkflow) as error:
        raise CliError(str(error)) from None
    finally:
        progress.close()
    print(render_chaos(result))
    return 0 if result.ok else 1


def cmd_cost(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from pizza_ops.cost import estimate_as_json, load_prices, render_estimate
    from pizza_ops.cost.wiring import NoOrders, estimate_from_traces, served_span_store
    from pizza_ops.telemetry import stack_span_store

    if args.orders < 1 or args.sample < 1:
        raise CliError("--orders and --sample take a whole number from 1", exit_code=2)
    system = _system(args)
    with contextlib.ExitStack() as stack:
        store: SpanStore | None
        if args.from_spans:
            query_url, store = stack.enter_context(served_span_store(args.from_spans))
        else:  # the embedded stack's own store too, unless another query API is named
            query_url = _query_url(args)
            store = None if args.query_url else stack.enter_context(stack_span_store(_state_dir(args)))
        try:
            with _query_errors(query_url):
                estimate = estimate_from_traces(
                    query_url,
                    system,
                    load_prices(),
                    orders=args.orders,
                    workflow=args.workflow,
                    sample=args.sample,
                    order_ids=args.order_id or (),
                    lookback=timedelta(hours=args.hours),
                    store=store,
                )
        except NoOrders as error:
            raise CliError(f"{error}: place some orders first") from None
    print(estimate_as_json(estimate) if args.json else render_estimate(estimate))
    return 0


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def _stock_level(text: str) -> int:
    if not text.isdigit() or len(text) > 9:
        raise argparse.ArgumentTypeError(f"expected a whole number from 0 to 999999999, got {text!r}")
    return int(text)


def _assignment(text: str) -> str:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return text


def cmd_logs(args: argparse.Namespace) -> int:
    stack = _deployed(args)
    with _names_checked():
        request = {"logGroupName": f"/aws/lambda/{stack.function(args.function)}"}
    if args.filter:
        request["filterPattern"] = args.filter
    with _aws_errors(stack):
        for page in stack.client("logs").get_paginator("filter_log_events").paginate(**request):
            for event in page["events"]:
                print(event["message"].rstrip("\n"))
    return 0


def cmd_check_terraform(args: argparse.Namespace) -> int:
    from pizza_ops.system import load_system
    from pizza_ops.terraform_drift import bucket_block_drift, building_block, root_module, terraform_drift

    repository = _repository(args)
    drift = terraform_drift(load_system(repository.declaration), root_module(repository))
    drift += bucket_block_drift(building_block("s3_bucket", repository))
    for problem in drift:
        print(problem)
    print("infra/terraform matches infra/system.yaml" if not drift else f"{len(drift)} differences")
    return 1 if drift else 0


def cmd_build_zips(args: argparse.Namespace) -> int:
    from pizza_ops.deploy.zips import write_zips
    from pizza_ops.system import load_system

    repository = _repository(args)
    packages = load_system(repository.declaration).packages()
    for package, path in write_zips(packages, args.out or repository.lambda_zips, repository.services).items():
        print(f"{package}: {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="pizza", description=__doc__)
    parser.add_argument(
        "--repo", type=Path, metavar="PATH", help="the project checkout (default: found from the working directory)"
    )
    parser.add_argument(
        "--state-dir", type=Path, help="where `up` and `deploy` record the stack (default: .pizza in the checkout)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = commands.add_parser("up", help="start MiniStack + OTLP receiver on loopback and deploy everything")
    up.add_argument("--emulator-port", type=int, default=4566)
    up.add_argument("--otlp-port", type=int, default=4318)
    add_max_spans_option(up)
    up.add_argument("--fifo-kitchen-queue", action="store_true", help="declare the kitchen queue FIFO")
    up.add_argument("--workflow", choices=WORKFLOWS, help="how orders go through: saga (the default) or choreography")
    up.add_argument(
        "--persist-emulator-state",
        action="store_true",
        help="the emulator keeps its state across a restart (SIGHUP restarts it; pizza chaos emulator-restart)",
    )
    up.set_defaults(run=cmd_up)

    deploy = commands.add_parser("deploy", help="deploy to an existing endpoint (emulator), or to AWS")
    deploy.add_argument("--endpoint", help="emulator URL, e.g. http://127.0.0.1:4566; omit for AWS")
    deploy.add_argument("--otlp-endpoint", help="where Lambdas export traces, e.g. http://otel-collector:4318")
    deploy.add_argument("--trace-query-url", default="http://127.0.0.1:16686", help="Jaeger query URL")
    deploy.add_argument("--region", default="us-east-1")
    deploy.add_argument("--fifo-kitchen-queue", action="store_true")
    deploy.add_argument("--workflow", choices=WORKFLOWS, help="saga (the default) or choreography")
    deploy.set_defaults(run=cmd_deploy)

    trace_cmd = commands.add_parser("trace", help="print the trace trees of one order, consumers' linked traces too")
    trace_cmd.add_argument("order_id")
    trace_cmd.add_argument("--query-url", help="trace query API (ours, or Jaeger's on :16686)")
    trace_cmd.add_argument(
        "--batch-calls",
        action="store_true",
        help="also the relay's batch calls that carried the order's events (from the embedded stack's span store,"
        " whatever --query-url says)",
    )
    trace_cmd.set_defaults(run=cmd_trace)

    consumers = commands.add_parser("consumers", help="list the services seen consuming an event type")
    consumers.add_argument(
        "event_type", help="e.g. com.pizza.order.confirmed.v2, or com.pizza.order.confirmed for all versions"
    )
    consumers.add_argument("--query-url", help="trace query API (ours, or Jaeger's on :16686)")
    consumers.add_argument("--limit", type=int, default=100, help="latest matching traces searched per service")
    consumers.add_argument("--hours", type=float, default=24, help="how far back to search")
    consumers.set_defaults(run=cmd_consumers)

    catalog = commands.add_parser(
        "catalog",
        help="write the AsyncAPI 3.0 event catalog and its Markdown view (docs/catalog), validated by the AsyncAPI"
        " parser; --check compares its consumers with telemetry's",
    )
    catalog.add_argument("--out", type=Path, help="where to write (default: docs/catalog in the checkout)")
    catalog.add_argument(
        "--check", action="store_true", help="write nothing; list where declared consumers and telemetry differ"
    )
    catalog.add_argument("--query-url", help="with --check: trace query API (ours, or Jaeger's on :16686)")
    catalog.add_argument("--limit", type=int, default=100, help="with --check: latest traces searched per service")
    catalog.add_argument("--hours", type=float, default=24, help="with --check: how far back to search")
    catalog.set_defaults(run=cmd_catalog)

    diagram = commands.add_parser(
        "diagram", help="draw the architecture from infra/system.yaml: architecture.svg and .png (default in docs/)"
    )
    diagram.add_argument("--out", type=Path, help="where to write (default: docs in the checkout)")
    diagram.set_defaults(run=cmd_diagram)

    saga = commands.add_parser("saga", help="print an order's saga execution: each step, callback and compensation")
    saga.add_argument("order_id")
    saga.set_defaults(run=cmd_saga)

    dlq = commands.add_parser("dlq", help="every dead-letter queue's depth; --show QUEUE lists its messages")
    dlq.add_argument(
        "--show", metavar="QUEUE", help="a DLQ's logical name: its messages' ids and reasons, left in place"
    )
    dlq.set_defaults(run=cmd_dlq)

    tap_cmd = commands.add_parser(
        "tap", help="print the order events on the wire for a while, each claim check beside its stored object"
    )
    tap_cmd.add_argument("--seconds", type=_seconds, default=30.0)
    tap_cmd.set_defaults(run=cmd_tap)

    restock_cmd = commands.add_parser("restock", help="top the inventory's stock up (every menu pizza by default)")
    restock_cmd.add_argument("--pizza", action="append", help="a pizza on the menu (repeatable); default: all")
    restock_cmd.add_argument("--to", type=_stock_level, help="the stock to top up to (default: the initial stock)")
    restock_cmd.add_argument(
        "--initial-stock", type=_stock_level, default=1000, help="the deployment's INITIAL_STOCK (default 1000)"
    )
    restock_cmd.set_defaults(run=cmd_restock)

    redrive_cmd = commands.add_parser("redrive", help="move a DLQ's messages back to its source queue at a rate")
    redrive_cmd.add_argument("queue", help="logical DLQ name, e.g. kitchen-orders-dlq")
    redrive_cmd.add_argument(
        "--rate", type=_rate, default=10, help=f"messages per second, 1 to {MAX_REDRIVE_RATE} (default 10)"
    )
    redrive_cmd.add_argument("--client-side", action="store_true", help="skip StartMessageMoveTask")
    redrive_cmd.set_defaults(run=cmd_redrive)

    outbox = commands.add_parser("outbox", help="list events stuck pending in a table's outbox; --resend sends them")
    outbox.add_argument("--table", default="orders", help="logical table name")
    outbox.add_argument(
        "--older-than", type=float, default=60, metavar="SECONDS", help="pending longer than this counts as stuck"
    )
    outbox.add_argument("--resend", action="store_true", help="raise each stuck item's flag so the relay sends again")
    outbox.set_defaults(run=cmd_outbox)

    set_env = commands.add_parser("set-env", help="change a deployed function's environment (e.g. a demo fault)")
    set_env.add_argument("function", help="logical function name, e.g. kitchen-processor")
    set_env.add_argument("assignments", nargs="+", type=_assignment, metavar="KEY=VALUE")
    set_env.set_defaults(run=cmd_set_env)

    logs = commands.add_parser("logs", help="print a deployed function's log lines")
    logs.add_argument("function", help="logical function name, e.g. kitchen-processor")
    logs.add_argument("--filter", help="CloudWatch Logs filter pattern, e.g. a message id")
    logs.set_defaults(run=cmd_logs)

    load = commands.add_parser(
        "load",
        help="place orders at a fixed rate, follow them to their final status, count lost orders and"
        " duplicated effects (exit 1 if any)",
    )
    load.add_argument("--rate", type=_number, required=True, help="orders per second, sent on schedule")
    load.add_argument("--duration", type=_number, required=True, metavar="SECONDS", help="how long to send")
    load.add_argument(
        "--workflow", choices=WORKFLOWS, help="switch the orders API to it for the run, then back (default: as is)"
    )
    load.add_argument(
        "--drain-timeout", type=_number, default=120, metavar="SECONDS", help="wait for final statuses (default 120)"
    )
    load.add_argument("--delivery-share", type=_number, default=0.5, help="fraction of delivery orders (default 0.5)")
    load.add_argument("--connections", type=int, default=64, help="HTTP connections at most (default 64)")
    load.add_argument(
        "--warm-api",
        type=int,
        default=0,
        metavar="N",
        help="N GET /menu at once before sending, so N environments of the orders API are ready (default 0)",
    )
    load.add_argument("--list", type=int, default=20, metavar="N", help="lost orders and anomalies listed (default 20)")
    load.add_argument("--json", action="store_true", help="the result as JSON on stdout")
    load.set_defaults(run=cmd_load)

    chaos = commands.add_parser(
        "chaos",
        help="inject a scenario's faults under load, then count orders lost and effects duplicated (exit 1 if any)",
    )
    chaos.add_argument("scenario", nargs="?", help="which scenario (--list names them)")
    chaos.add_argument("--list", action="store_true", help="name the scenarios and what each does")
    chaos.add_argument("--orders", type=int, default=20, help="orders placed during the scenario (default 20)")
    chaos.add_argument("--rate", type=_number, default=2, help=f"orders per second, up to {MAX_CHAOS_RATE} (default 2)")
    chaos.add_argument(
        "--workflow", choices=WORKFLOWS, help="switch the orders API to it for the run, then back (default: as is)"
    )
    chaos.set_defaults(run=cmd_chaos)

    cost = commands.add_parser(
        "cost", help="the AWS cost of N orders, from the calls real orders made (their spans) and public prices"
    )
    cost.add_argument("--orders", type=int, default=1_000_000, help="how many orders to price (default 1000000)")
    cost.add_argument("--workflow", choices=WORKFLOWS, default="saga", help="whose orders to count (default saga)")
    cost.add_argument("--from-spans", type=Path, metavar="PATH", help="a span store file (default: the stack's)")
    cost.add_argument("--query-url", help="trace query API (ours, or Jaeger's on :16686)")
    cost.add_argument("--sample", type=int, default=20, help="latest placed orders counted (default 20)")
    cost.add_argument("--order-id", action="append", help="count these orders instead (repeatable)")
    cost.add_argument("--hours", type=float, default=24, help="how far back to search")
    cost.add_argument("--json", action="store_true", help="the estimate as JSON on stdout")
    cost.set_defaults(run=cmd_cost)

    check = commands.add_parser("check-terraform", help="compare infra/terraform with infra/system.yaml")
    check.set_defaults(run=cmd_check_terraform)

    zips = commands.add_parser("build-zips", help="write the Lambda zip packages (for Terraform on an emulator)")
    zips.add_argument("--out", type=Path, help="default: build/lambda in the checkout")
    zips.set_defaults(run=cmd_build_zips)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        try:
            return _run(argv)
        finally:
            sys.stdout.flush()  # now rather than at exit, so that a reader gone away is handled below
    except BrokenPipeError:  # `pizza trace ... | head`: the reader has all it wanted
        _discard_stdout()
        return BROKEN_PIPE_EXIT


def _run(argv: list[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(args.run(args))
    except CliError as error:
        print(f"pizza: {error}", file=sys.stderr)
        return error.exit_code
    except FileNotFoundError as error:  # e.g. no emulator environment: `make install` creates it
        print(f"pizza: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 128 + signal.SIGINT


def _discard_stdout() -> None:
    # Python flushes stdout once more at exit; on /dev/null that flush cannot fail again.
    with contextlib.suppress(OSError, ValueError):
        stdout = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout)
        os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
