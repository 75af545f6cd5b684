"""Creating a durable function on MiniStack: the one deploy step that differs from AWS.

MiniStack (1.5.33) treats a function as durable only when its DurableConfig carries
``"Enabled": true``, a key AWS does not have and botocore refuses to send (its model validates
the request). So on the emulator the CreateFunction request is signed and sent by hand, with that
key added; on AWS the deployer calls ``create_function(DurableConfig=...)`` like any other.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest


def create_durable_function(session: boto3.session.Session, endpoint: str, region: str, request: dict[str, Any]) -> str:
    """Send CreateFunction with ``request`` (the boto3 parameters, the zip as bytes); the new function's ARN.

    Raises :class:`DurableFunctionExists` when the function exists already (the deployer updates it instead).
    """
    body = dict(request)
    body["Code"] = {"ZipFile": base64.b64encode(request["Code"]["ZipFile"]).decode()}
    body["DurableConfig"] = {**request["DurableConfig"], "Enabled": True}
    response = _signed_lambda_call(session, endpoint, region, "POST", "/2015-03-31/functions", body)
    if response.status_code == 409:
        raise DurableFunctionExists(request["FunctionName"])
    if response.status_code >= 300:
        raise RuntimeError(f"creating durable function {request['FunctionName']} failed: {response.text[:300]}")
    arn: str = response.json()["FunctionArn"]
    return arn


class DurableFunctionExists(Exception):
    """CreateFunction answered that the function exists (ResourceConflictException)."""


def mark_durable(
    session: boto3.session.Session, endpoint: str, region: str, name: str, durable_config: dict[str, int]
) -> None:
    """Make an existing function durable on MiniStack (one Terraform created without the flag).

    ``durable_config`` (ExecutionTimeout, RetentionPeriodInDays) gets ``"Enabled": true`` through
    UpdateFunctionConfiguration, signed and sent by hand for the same reason as above.
    """
    body = {"DurableConfig": {**durable_config, "Enabled": True}}
    path = f"/2015-03-31/functions/{name}/configuration"
    response = _signed_lambda_call(session, endpoint, region, "PUT", path, body)
    if response.status_code >= 300:
        raise RuntimeError(f"marking {name} durable failed: {response.text[:300]}")


def _signed_lambda_call(
    session: boto3.session.Session, endpoint: str, region: str, method: str, path: str, body: dict[str, Any]
) -> httpx.Response:
    """A Lambda REST request with a JSON ``body`` botocore would refuse, SigV4-signed as botocore signs."""
    payload = json.dumps(body)
    signed = AWSRequest(
        method, f"{endpoint.rstrip('/')}{path}", data=payload, headers={"Content-Type": "application/json"}
    )
    SigV4Auth(session.get_credentials(), "lambda", region).add_auth(signed)
    return httpx.request(method, signed.url, content=payload.encode(), headers=dict(signed.headers.items()), timeout=60)
