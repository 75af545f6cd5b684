"""An orders API wired for unit tests: the real routes over in-memory twins (choreography by default)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger
from in_memory_idempotency_store import InMemoryIdempotencyStore

from integration_patterns.callback_urls import CallbackUrlPolicy
from integration_patterns.idempotent_requests import IdempotentRequests
from integration_patterns.runtime import utc_now
from order_service import http_api
from order_service.adapters.order_updates import OrderUpdateCredentials
from order_service.adapters.workflows import ChoreographedWorkflow
from order_service.api_wiring import OrderApi, OrderApiSettings
from order_service.ports import OrderRepository, OrderWorkflow
from twins.inventory import InMemoryStockLedger
from twins.mac_key import InMemoryMacKey
from twins.orders import InMemoryOrderRepository


class LambdaContext:
    def get_remaining_time_in_millis(self) -> int:
        return 10_000


SETTINGS = OrderApiSettings(
    otel_service_name="order-receiver",
    orders_table_name="orders",
    acknowledgement_queue_url="https://sqs.test/acknowledgements",
    idempotency_table_name="order-api-idempotency",
    public_api_url="https://api.test",
    order_workflow="choreography",
    inventory_stock_table_name="inventory-stock",
    inventory_reservations_table_name="inventory-reservations",
    claim_check_bucket="claims",
    order_updates_url="wss://updates.test/live",
    watch_token_key_id="alias/watch-tokens",
    webhook_secret_key_id="alias/webhook-secrets",
)


# The two HMAC keys, in memory: watch tokens and webhook secrets are each made with their own.
WATCH_TOKENS_KEY = InMemoryMacKey(b"watch tokens test key..........")
WEBHOOK_SECRETS_KEY = InMemoryMacKey(b"webhook secrets test key.......")


def wired_order_api(
    *,
    orders: OrderRepository | None = None,
    requests: IdempotentRequests | None = None,
    workflow: OrderWorkflow | None = None,
    stock: InMemoryStockLedger | None = None,
    new_order_id: Callable[[], str] = lambda: "order-1",
    order_id_for_key: Callable[[str], str] = lambda key: f"order-for-{key}",
    now: Callable[[], datetime] = utc_now,
    callback_urls: CallbackUrlPolicy | None = None,
) -> OrderApi:
    requests = requests or IdempotentRequests(InMemoryIdempotencyStore(), key_prefix="POST /orders", ttl_seconds=60)
    requests.register_lambda_context(LambdaContext())
    return OrderApi(
        settings=SETTINGS,
        orders=orders if orders is not None else InMemoryOrderRepository(),
        workflow=workflow or ChoreographedWorkflow(),
        stock=stock or InMemoryStockLedger(),
        requests=requests,
        callback_urls=callback_urls or CallbackUrlPolicy(),
        credentials=OrderUpdateCredentials(
            watch_tokens=WATCH_TOKENS_KEY,
            webhook_secrets=WEBHOOK_SECRETS_KEY,
            websocket_url=SETTINGS.order_updates_url,
            token_lifetime=timedelta(hours=1),
        ),
        new_order_id=new_order_id,
        order_id_for_key=order_id_for_key,
        now=now,
    )


def api_request(
    api: OrderApi,
    method: str,
    path: str,
    body: str | bytes | None = None,
    headers: dict[str, str] | None = None,
    route_key: str = "$default",
) -> dict[str, Any]:
    """The API's answer to one request, as API Gateway (payload 2.0) would hand it over: a body in
    bytes is base64-encoded, as API Gateway does for content types it does not take for text."""
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers if headers is not None else {"content-type": "application/json"},
        "requestContext": {"http": {"method": method, "path": path}, "stage": "$default"},
        "isBase64Encoded": isinstance(body, bytes),
    }
    if body is not None:
        event["body"] = base64.b64encode(body).decode() if isinstance(body, bytes) else body
    # As the entry point does for each invocation: the routes find the cold start's adapters here.
    http_api.app.append_context(api=api, logger=Logger(service="order-receiver"))
    return http_api.app.resolve(event, LambdaContext())
