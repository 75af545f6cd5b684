"""WebSocket APIs (API Gateway v2): the API and its stage first, its routes once the functions exist.

Functions need the API's addresses in their settings (the URL a client connects to, the management
endpoint they post to connections at) and its ARN in their policies, before they are created; the
routes need the functions. So the API is made in two steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

# API Gateway WebSocket APIs have named stages only ($default is an HTTP API's).
STAGE = "live"
# Which route a message takes: its "action" field ($default when it has none that matches).
ROUTE_SELECTION = "$request.body.action"


@dataclass(frozen=True)
class DeployedWebSocketApi:
    api_id: str
    # Where clients connect: wss://<id>.execute-api.<region>.amazonaws.com/live on AWS.
    url: str
    # Where functions post to connections: https://<id>.execute-api.<region>.amazonaws.com/live.
    management_url: str


def ensure_websocket_api(apigw: Any, physical: str, endpoint: str | None) -> DeployedWebSocketApi:
    """Create the API (route selection on the message's ``action``) and its auto-deployed stage."""
    existing = [api for api in all_apis(apigw) if api["Name"] == physical]
    api = (
        existing[0]
        if existing
        else apigw.create_api(Name=physical, ProtocolType="WEBSOCKET", RouteSelectionExpression=ROUTE_SELECTION)
    )
    api_id = str(api["ApiId"])
    if not any(s["StageName"] == STAGE for s in apigw.get_stages(ApiId=api_id)["Items"]):
        apigw.create_stage(ApiId=api_id, StageName=STAGE, AutoDeploy=True)
    if endpoint:
        # Emulators serve the API under the gateway's own address; host-style names need DNS.
        base = f"{endpoint.rstrip('/')}/_aws/execute-api/{api_id}/{STAGE}"
        return DeployedWebSocketApi(api_id, "ws" + base.removeprefix("http"), base)
    url = f"{api['ApiEndpoint']}/{STAGE}"
    return DeployedWebSocketApi(api_id, url, "https" + url.removeprefix("wss"))


def all_apis(apigw: Any) -> list[dict[str, Any]]:
    """Every API of the account and region: GetApis answers a page at a time (it has no paginator)."""
    apis: list[dict[str, Any]] = []
    request: dict[str, str] = {}
    while True:
        page = apigw.get_apis(**request)
        apis.extend(page.get("Items", []))
        if not page.get("NextToken"):
            return apis
        request = {"NextToken": page["NextToken"]}


def ensure_websocket_routes(apigw: Any, lambda_client: Any, api_id: str, routes: dict[str, str], region: str) -> None:
    """Route each key to its function (Lambda proxy integration), allowing the API to invoke it.

    ``routes`` maps route keys to function ARNs. A route that exists with another target (its
    function changed in the declaration) is pointed at the declared one.
    """
    integrations = {i["IntegrationUri"]: i["IntegrationId"] for i in apigw.get_integrations(ApiId=api_id)["Items"]}
    existing_routes = {r["RouteKey"]: r for r in apigw.get_routes(ApiId=api_id)["Items"]}
    for route_key, function_arn in routes.items():
        uri = lambda_invocation_uri(region, function_arn)
        if uri not in integrations:
            integrations[uri] = apigw.create_integration(
                ApiId=api_id, IntegrationType="AWS_PROXY", IntegrationMethod="POST", IntegrationUri=uri
            )["IntegrationId"]
            allow_api_to_invoke(lambda_client, function_arn, api_id, region, statement_prefix="websocket-api")
        target = f"integrations/{integrations[uri]}"
        route = existing_routes.get(route_key)
        if route is None:
            apigw.create_route(ApiId=api_id, RouteKey=route_key, Target=target)
        elif route.get("Target") != target:
            apigw.update_route(ApiId=api_id, RouteId=route["RouteId"], Target=target)


def lambda_invocation_uri(region: str, function_arn: str) -> str:
    """What a WebSocket API's Lambda proxy integration names: the function's invocation URI.

    An HTTP API accepts a plain function ARN; a WebSocket API does not (Terraform passes the
    function's invoke_arn, this same URI).
    """
    return f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def allow_api_to_invoke(
    lambda_client: Any, function_arn: str, api_id: str, region: str, *, statement_prefix: str
) -> None:
    """Let API Gateway invoke the function for this API (any stage and route); once per API."""
    account = function_arn.split(":")[4]
    try:
        lambda_client.add_permission(
            FunctionName=function_arn,
            StatementId=f"{statement_prefix}-{api_id}",
            Action="lambda:InvokeFunction",
            Principal="apigateway.amazonaws.com",
            SourceArn=f"arn:aws:execute-api:{region}:{account}:{api_id}/*",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceConflictException":
            raise
