"""Each function's container image, run as a Lambda against a Runtime API the test serves.

The image's entry point (the runtime interface client) starts with ``AWS_LAMBDA_RUNTIME_API`` at the
test's server, the function's handler as its command, and the environment the function has on the
embedded stack (read back from the emulator), so its cold start reaches the same tables and queues.
The images are built beforehand: `make test-images` builds them (`make images`) first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from lambda_runtime_api import LambdaRuntimeApi

from pizza_ops.images import service_images
from pizza_ops.stack import EmbeddedStack, emulator_credentials_session
from pizza_ops.system import load_system

RunFunction = Callable[[str], AbstractContextManager[LambdaRuntimeApi]]


def _image_of(package: str) -> str:
    tags = {image.package: image.tag() for image in service_images(load_system())}
    tag = tags[package]
    if subprocess.run(["docker", "image", "inspect", tag], capture_output=True).returncode != 0:
        pytest.fail(f"image {tag} is not built: run `make images` (or `make test-images`)")
    return tag


@pytest.fixture(scope="session")
def docker() -> None:
    if shutil.which("docker") is None:
        pytest.fail("tests/images need the docker CLI and a running engine")


@pytest.fixture
def run_function(stack: EmbeddedStack, docker: None, tmp_path: Path) -> Iterator[RunFunction]:
    """Start a function's image as a Lambda; yields the Runtime API it takes its invocations from."""
    session = emulator_credentials_session(stack.config.region)
    lambda_client = session.client("lambda", endpoint_url=stack.emulator.endpoint)
    assert stack.outputs is not None
    outputs = stack.outputs

    @contextmanager
    def run(name: str) -> Iterator[LambdaRuntimeApi]:
        function = load_system().functions[name]
        configuration = lambda_client.get_function_configuration(FunctionName=outputs.function_names[name])
        with LambdaRuntimeApi(configuration["FunctionArn"], function.timeout_seconds) as api:
            environment = {
                **configuration["Environment"]["Variables"],
                # What Lambda itself sets, and where the emulator is (as a laptop's AWS profile would).
                "AWS_LAMBDA_RUNTIME_API": api.address,
                "AWS_LAMBDA_FUNCTION_NAME": configuration["FunctionName"],
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(configuration["MemorySize"]),
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{configuration['FunctionName']}",
                "AWS_REGION": stack.config.region,
                "AWS_DEFAULT_REGION": stack.config.region,
                "AWS_ENDPOINT_URL": stack.emulator.endpoint,
                "AWS_ACCESS_KEY_ID": "test",
                "AWS_SECRET_ACCESS_KEY": "test",
            }
            container = f"pizza-image-test-{name}-{uuid.uuid4().hex[:8]}"
            log_path = tmp_path / f"{name}.log"
            # `-e NAME` takes each value from the docker CLI's own environment.
            command = ["docker", "run", "--rm", "--name", container, "--network", "host"]
            command += [arg for variable in environment for arg in ("-e", variable)]
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    [*command, _image_of(function.package), function.handler],
                    env={**os.environ, **environment},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            try:
                yield api
            finally:
                subprocess.run(["docker", "rm", "--force", container], capture_output=True)
                process.wait(timeout=30)
                # Shown with a failing test: the function's own log lines.
                print(log_path.read_text(encoding="utf-8", errors="replace"))

    yield run
