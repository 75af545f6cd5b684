"""The embedded stack: OTLP receiver + MiniStack + the deployed system, on loopback only."""

from __future__ import annotations

import dataclasses
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from pizza_ops.deploy.deployer import Deployer, DeployOptions
from pizza_ops.deploy.discovery import discover_outputs
from pizza_ops.deploy.emulator import Emulator, MiniStackProcess, free_port
from pizza_ops.deploy.outputs import StackOutputs
from pizza_ops.deploy.terraform_emulator import TerraformOnEmulator
from pizza_ops.emulator_restarts import CannotRestart, EmulatorRestart, forget_restarts, last_restart, record_restart
from pizza_ops.function_settings import set_environment
from pizza_ops.live_page import PageConfig
from pizza_ops.repository import Repository
from pizza_ops.stack_lock import StackLock
from pizza_ops.system import SystemDeclaration, load_system
from pizza_ops.telemetry import SPANS_FILE, OtlpReceiver, SpanStore
from pizza_ops.trace_store_options import DEFAULT_MAX_SPANS

OUTPUTS_FILE = "stack.json"
EMULATOR_LOG_FILE = "ministack.log"
# Where the emulator saves its state on a stop and loads it on a start (persist_emulator_state).
EMULATOR_STATE_DIR = "emulator-state"


def emulator_credentials_session(region: str) -> boto3.session.Session:
    # Emulators accept any credentials; fixed ones keep a developer's real AWS profile out of it.
    return boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=region)


def session_for(endpoint: str | None, region: str) -> boto3.session.Session:
    """Fixed test credentials for an emulator endpoint; the developer's own credentials for AWS."""
    return emulator_credentials_session(region) if endpoint else boto3.session.Session(region_name=region)


@dataclass
class EmbeddedStackConfig:
    """What to run and where; paths default to the repository around the working directory."""

    state_dir: Path = field(default_factory=lambda: Repository.find().state_dir)
    emulator_python: Path = field(default_factory=lambda: Repository.find().emulator_python)
    services_dir: Path = field(default_factory=lambda: Repository.find().services)
    emulator_port: int = 4566  # 0: any free port
    otlp_port: int = 4318  # 0: any free port
    max_spans: int = DEFAULT_MAX_SPANS  # the trace store's bound (oldest traces forgotten past it)
    region: str = "us-east-1"
    system: SystemDeclaration = field(default_factory=load_system)
    visibility_timeout_seconds: int | None = None
    extra_environment: dict[str, dict[str, str]] = field(default_factory=dict)
    # Who deploys the system: the embedded deployer, or infra/terraform applied to the emulator
    # (then finished by the emulator adapter, see pizza_ops.deploy.terraform_emulator).
    deploy_with: Literal["deployer", "terraform"] = "deployer"
    terraform_dir: Path = field(default_factory=lambda: Repository.find().terraform)
    # The emulator keeps its state across a restart of its process (`restart_emulator`). Off by
    # default: every stop then writes the whole state to disk, and a restart is a test of faults.
    persist_emulator_state: bool = False


class EmbeddedStack:
    """Starts everything, deploys the system, and tears it all down on exit.

    The emulator is MiniStack as a subprocess of the emulator's interpreter, on the configured port,
    unless another `Emulator` is given (the integration tests can pass MiniStack in a container).
    """

    def __init__(self, config: EmbeddedStackConfig, emulator: Emulator | None = None) -> None:
        self.config = config
        self.emulator: Emulator = emulator or MiniStackProcess(
            python=config.emulator_python,
            port=config.emulator_port or free_port(),
            log_path=config.state_dir / EMULATOR_LOG_FILE,
            persist_dir=config.state_dir / EMULATOR_STATE_DIR if config.persist_emulator_state else None,
        )
        # Claimed before anything in the state directory is cleaned: it may be a running stack's.
        self._lock = StackLock(config.state_dir)
        self._lock.acquire(self.emulator.endpoint)
        try:
            # A new stack starts from an empty emulator, whatever an earlier one saved.
            shutil.rmtree(config.state_dir / EMULATOR_STATE_DIR, ignore_errors=True)
            forget_restarts(config.state_dir)
            spans_path = config.state_dir / SPANS_FILE
            spans_path.unlink(missing_ok=True)
            self.spans = SpanStore(str(spans_path), max_spans=config.max_spans)
            self.receiver = OtlpReceiver(self.spans, port=config.otlp_port)
        except BaseException:
            self._lock.release()
            raise
        self.outputs: StackOutputs | None = None

    def __enter__(self) -> EmbeddedStack:
        self.receiver.start()
        try:
            self.emulator.start()
            self.outputs = self.deploy(self.config.system)
            # The page at the receiver's /live/ calls the orders API, whose URL only the deployment knows.
            self.receiver.page_config = PageConfig(api_url=self.outputs.api_urls["orders"])
            if self._restartable:
                record_restart(self.config.state_dir, EmulatorRestart(count=0))
        except BaseException:
            self.close()
            raise
        return self

    @property
    def _restartable(self) -> bool:
        return self.config.persist_emulator_state and isinstance(self.emulator, MiniStackProcess)

    def restart_emulator(self) -> EmulatorRestart:
        """Stop the emulator (it saves its state) and start it again (it loads it), then check that
        the deployment came back whole; recorded for whoever asked (pizza_ops.emulator_restarts).

        Nothing is deployed again: MiniStack keeps every resource the deployment made, and the
        emulator adapter keeps what it would lose of the work in flight (ministack_with_fixes.py,
        fixes 7 and 8). What a deployment lacks after a restart is named, not re-created: the
        deployer makes some resources anew (an HTTP API gets another id), which would move them.
        """
        before = last_restart(self.config.state_dir)
        if not self._restartable or before is None or self.outputs is None:
            raise CannotRestart("this stack keeps no emulator state (persist_emulator_state is off)")
        stopped = time.monotonic()
        try:
            self.emulator.stop()
            self.emulator.start()
        except Exception as error:
            record_restart(self.config.state_dir, EmulatorRestart(before.count + 1, error=str(error)))
            raise
        restart = EmulatorRestart(before.count + 1, time.monotonic() - stopped, self._missing_after_restart())
        record_restart(self.config.state_dir, restart)
        return restart

    def _missing_after_restart(self) -> tuple[str, ...]:
        """What the recorded deployment has and the emulator no longer does, as ``kind name``."""
        assert self.outputs is not None
        session = emulator_credentials_session(self.config.region)
        endpoint, region = self.emulator.endpoint, self.config.region
        try:
            found = discover_outputs(session, endpoint, region, self.config.system)
        except (ClientError, BotoCoreError) as error:  # a queue, table, key or role it looks up is gone
            return (str(error),)
        missing = [
            f"{kind} {name}"
            for kind, recorded, now in (
                ("API", self.outputs.api_urls, found.api_urls),
                ("queue", self.outputs.queue_urls, found.queue_urls),
                ("topic", self.outputs.topic_arns, found.topic_arns),
                ("key", self.outputs.key_arns, found.key_arns),
                ("stream", self.outputs.table_stream_arns, found.table_stream_arns),
                ("WebSocket API", self.outputs.websocket_urls, found.websocket_urls),
            )
            for name, value in recorded.items()
            if now.get(name) != value
        ]
        lambda_client = session.client("lambda", endpoint_url=endpoint, region_name=region)
        functions = {
            f["FunctionName"]
            for page in lambda_client.get_paginator("list_functions").paginate()
            for f in page["Functions"]
        }
        missing += [f"function {name}" for name in self.outputs.function_names.values() if name not in functions]
        mappings = [
            m
            for page in lambda_client.get_paginator("list_event_source_mappings").paginate()
            for m in page["EventSourceMappings"]
        ]
        declared = len(self.config.system.triggers) + len(self.config.system.stream_triggers)
        if len(mappings) < declared:
            missing.append(f"trigger: {declared - len(mappings)} of {declared} event source mappings")
        return tuple(missing)

    def deploy(self, system: SystemDeclaration, *, save: bool = True) -> StackOutputs:
        """Deploy ``system`` (the configured one, or a variant such as a FIFO one) to this emulator.

        ``save`` records the outputs as the stack's own, for the CLI; a side deployment does not.
        """
        if save and self.config.deploy_with == "terraform":
            return self._save(self._apply_terraform(system))
        options = DeployOptions(
            endpoint=self.emulator.endpoint,
            otlp_endpoint=self.receiver.endpoint,
            region=self.config.region,
            visibility_timeout_seconds=self.config.visibility_timeout_seconds,
            extra_environment=self.config.extra_environment,
            services_dir=self.config.services_dir,
        )
        outputs = Deployer(system, options, emulator_credentials_session(self.config.region)).deploy()
        return self._save(outputs) if save else dataclasses.replace(outputs, trace_query_url=self.receiver.endpoint)

    def _save(self, outputs: StackOutputs) -> StackOutputs:
        outputs = dataclasses.replace(
            outputs, trace_query_url=self.receiver.endpoint, otlp_endpoint=self.receiver.endpoint
        )
        outputs.save(self.config.state_dir / OUTPUTS_FILE)
        return outputs

    def terraform(self, system: SystemDeclaration) -> TerraformOnEmulator:
        return TerraformOnEmulator(
            system=system,
            terraform_dir=self.config.terraform_dir,
            services_dir=self.config.services_dir,
            work_dir=self.config.state_dir / "terraform",
            endpoint=self.emulator.endpoint,
            otlp_endpoint=self.receiver.endpoint,
            session=emulator_credentials_session(self.config.region),
            region=self.config.region,
        )

    def _apply_terraform(self, system: SystemDeclaration) -> StackOutputs:
        """Terraform's stack, then what the embedded deployer's options would have set: the
        functions' extra environment and the queues' visibility timeout (settings tests shorten)."""
        outputs = self.terraform(system).apply()
        session = emulator_credentials_session(self.config.region)
        lambda_client = session.client("lambda", endpoint_url=self.emulator.endpoint, region_name=self.config.region)
        for name, changes in self.config.extra_environment.items():
            durable = system.functions[name].durable
            alias = durable.alias if durable else None
            set_environment(lambda_client, outputs.function_names[name], changes, alias=alias)
        if self.config.visibility_timeout_seconds is not None:
            sqs = session.client("sqs", endpoint_url=self.emulator.endpoint, region_name=self.config.region)
            for url in outputs.queue_urls.values():
                visibility = str(self.config.visibility_timeout_seconds)
                sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": visibility})
        return outputs

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        forget_restarts(self.config.state_dir)
        self.emulator.stop()
        self.receiver.stop()
        self.spans.close()
        self._lock.release()
