"""Lambda's backend retries of a durable execution whose invocation ended without the SDK's answer.

On an emulator of its own (started as `pizza up` starts it, with the adapter's fixes, on a free
port) holding one tiny durable function: making one of the saga's invocations time out would take
changing the saga, and this is the emulator's behaviour, not the saga's. The function's first
invocation outlives its timeout (or every invocation crashes); AWS invokes it again, replaying its
finished steps, until it answers or its execution timeout has passed.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from integration_support import eventually

from pizza_ops.deploy.emulator import MiniStackProcess, free_port
from pizza_ops.deploy.ministack_durable import create_durable_function
from pizza_ops.repository import Repository

REGION = "us-east-1"
FUNCTION_TIMEOUT_SECONDS = 2

# Its one step writes a line to STEP_LOG each time it runs; its first invocation then sleeps past
# the function's timeout (FIRST_INVOCATION_MARK does not exist yet), or every one crashes.
HANDLER = """
import os, time
from aws_durable_execution_sdk_python import DurableContext, durable_execution

def _step(_):
    with open(os.environ["STEP_LOG"], "a") as log:
        log.write("ran\\n")
    return "baked"

@durable_execution
def handler(event, context: DurableContext):
    pizza = context.step(_step, name="bake")
    if os.environ.get("ALWAYS_CRASH"):
        os._exit(1)
    if not os.path.exists(os.environ["FIRST_INVOCATION_MARK"]):
        open(os.environ["FIRST_INVOCATION_MARK"], "w").close()
        time.sleep(30)
    return {"pizza": pizza}
"""


@pytest.fixture
def lambda_client(tmp_path: Path) -> Iterator[Any]:
    emulator = MiniStackProcess(Repository.find().emulator_python, free_port(), tmp_path / "ministack.log")
    emulator.start()
    try:
        session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
        yield session.client("lambda", endpoint_url=emulator.endpoint), session, emulator.endpoint
    finally:
        emulator.stop()


def _start_execution(clients: Any, tmp_path: Path, execution_timeout: int, always_crash: bool = False) -> str:
    """Deploy the durable function, start one execution of it; the execution's ARN."""
    lambda_client, session, endpoint = clients
    iam = session.client("iam", endpoint_url=endpoint)
    trust = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    role = iam.create_role(
        RoleName="durable-retries",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust]}),
    )["Role"]["Arn"]
    durable_run = ["lambda:CheckpointDurableExecution", "lambda:GetDurableExecutionState"]
    grant = {"Effect": "Allow", "Action": durable_run, "Resource": "*"}
    iam.put_role_policy(
        RoleName="durable-retries",
        PolicyName="run-durable",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [grant]}),
    )
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", HANDLER)
    variables = {"STEP_LOG": str(tmp_path / "steps.log"), "FIRST_INVOCATION_MARK": str(tmp_path / "first")}
    if always_crash:
        variables["ALWAYS_CRASH"] = "1"
    request = {
        "FunctionName": "durable-retries",
        "Role": role,
        "Runtime": "python3.12",
        "Handler": "handler.handler",
        "Timeout": FUNCTION_TIMEOUT_SECONDS,
        "Code": {"ZipFile": code.getvalue()},
        "Environment": {"Variables": variables},
        "DurableConfig": {"ExecutionTimeout": execution_timeout, "RetentionPeriodInDays": 1},
    }
    create_durable_function(session, endpoint, REGION, request)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName="durable-retries")
    version = lambda_client.publish_version(FunctionName="durable-retries")["Version"]
    lambda_client.invoke(FunctionName="durable-retries", Qualifier=version, InvocationType="Event", Payload=b"{}")
    executions = eventually(
        lambda: lambda_client.list_durable_executions_by_function(FunctionName="durable-retries", Qualifier=version)[
            "DurableExecutions"
        ],
        what="the execution to start",
    )
    return str(executions[0]["DurableExecutionArn"])


def _finished(lambda_client: Any, arn: str) -> dict[str, Any] | None:
    execution: dict[str, Any] = lambda_client.get_durable_execution(DurableExecutionArn=arn)
    return None if execution["Status"] == "RUNNING" else execution


def _invocations(lambda_client: Any, arn: str) -> list[dict[str, Any]]:
    events = lambda_client.get_durable_execution_history(DurableExecutionArn=arn)["Events"]
    return [event for event in events if event["EventType"] == "InvocationCompleted"]


def test_an_execution_whose_invocation_times_out_is_invoked_again_and_completes(
    lambda_client: Any, tmp_path: Path
) -> None:
    # Given a durable execution whose first invocation outlives the function's timeout, its step done
    arn = _start_execution(lambda_client, tmp_path, execution_timeout=300)
    client = lambda_client[0]

    # When Lambda has had the time to invoke it again (the first retry comes a second after the timeout)
    execution = eventually(lambda: _finished(client, arn), timeout=60, what="the execution to end")

    # Then it succeeded on a second invocation, replaying its step instead of running it again
    assert execution["Status"] == "SUCCEEDED", execution
    assert json.loads(execution["Result"]) == {"pizza": "baked"}
    invocations = _invocations(client, arn)
    assert len(invocations) == 2
    assert ["Error" in invocation["InvocationCompletedDetails"] for invocation in invocations] == [True, False]
    assert (tmp_path / "steps.log").read_text() == "ran\n"


def test_an_execution_whose_every_invocation_crashes_is_retried_until_its_execution_timeout(
    lambda_client: Any, tmp_path: Path
) -> None:
    # Given a durable execution whose every invocation crashes, with an execution timeout of 10 s
    arn = _start_execution(lambda_client, tmp_path, execution_timeout=10, always_crash=True)
    client = lambda_client[0]

    # When its execution timeout has passed
    execution = eventually(lambda: _finished(client, arn), timeout=60, what="the execution to end")

    # Then it was invoked again after the crashes, and ended TIMED_OUT rather than staying RUNNING
    assert execution["Status"] == "TIMED_OUT", execution
    assert len(_invocations(client, arn)) > 1
