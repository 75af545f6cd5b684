"""The embedded stack: OTLP receiver + MiniStack + the deployed system, on loopback only."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import boto3

from pizza_ops.deploy.deployer import Deployer, DeployOptions
from pizza_ops.deploy.emulator import MiniStackProcess, free_port
from pizza_ops.deploy.outputs import StackOutputs
from pizza_ops.live_page import PageConfig
from pizza_ops.repository import Repository
from pizza_ops.stack_lock import StackLock
from pizza_ops.system import SystemDeclaration, load_system
from pizza_ops.telemetry import OtlpReceiver, SpanStore

OUTPUTS_FILE = "stack.json"


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
    region: str = "us-east-1"
    system: SystemDeclaration = field(default_factory=load_system)
    visibility_timeout_seconds: int | None = None
    extra_environment: dict[str, dict[str, str]] = field(default_factory=dict)


class EmbeddedStack:
    """Starts everything, deploys the system, and tears it all down on exit."""

    def __init__(self, config: EmbeddedStackConfig) -> None:
        self.config = config
        self.emulator = MiniStackProcess(
            python=config.emulator_python,
            port=config.emulator_port or free_port(),
            log_path=config.state_dir / "ministack.log",
        )
        # Claimed before anything in the state directory is cleaned: it may be a running stack's.
        self._lock = StackLock(config.state_dir)
        self._lock.acquire(self.emulator.endpoint)
        try:
            spans_path = config.state_dir / "spans.sqlite"
            spans_path.unlink(missing_ok=True)
            self.spans = SpanStore(str(spans_path))
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
        except BaseException:
            self.close()
            raise
        return self

    def deploy(self, system: SystemDeclaration, *, save: bool = True) -> StackOutputs:
        """Deploy ``system`` (the configured one, or a variant such as a FIFO one) to this emulator.

        ``save`` records the outputs as the stack's own, for the CLI; a side deployment does not.
        """
        options = DeployOptions(
            endpoint=self.emulator.endpoint,
            otlp_endpoint=self.receiver.endpoint,
            region=self.config.region,
            visibility_timeout_seconds=self.config.visibility_timeout_seconds,
            extra_environment=self.config.extra_environment,
            services_dir=self.config.services_dir,
        )
        outputs = Deployer(system, options, emulator_credentials_session(self.config.region)).deploy()
        outputs = dataclasses.replace(outputs, trace_query_url=self.receiver.endpoint)
        if save:
            outputs.save(self.config.state_dir / OUTPUTS_FILE)
        return outputs

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.emulator.stop()
        self.receiver.stop()
        self.spans.close()
        self._lock.release()
