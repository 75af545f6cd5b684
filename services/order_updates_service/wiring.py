"""The order updates service's functions: settings, adapters built once per cold start, entry points."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind
from pydantic import Field, model_validator

from integration_patterns.callback_urls import AllowedOrigins, CallbackUrlPolicy
from integration_patterns.consumer import SpanFacts, TraceMode
from integration_patterns.consumer_runtime import ConsumerSettings, consumer
from integration_patterns.delayed_retries import Backoff, DelayedRetries
from integration_patterns.errors import RetryLater
from integration_patterns.kms_mac import KmsMac, SignedTokens, derived_secret
from integration_patterns.runtime import Entrypoint, Runtime, lambda_handler, utc_now
from integration_patterns.settings import TelemetrySettings
from integration_patterns.webhooks import WebhookFailed, WebhookRefused, WebhookSender, webhook_http_client
from integration_patterns.websocket_push import (
    DEFAULT_CONNECTION_TTL_SECONDS,
    ConnectionPusher,
    ConnectionRegistry,
    WebSocketRequest,
    websocket_answer,
)
from order_updates_service.domain import WebhookCall
from order_updates_service.order_item_changes import status_updates
from order_updates_service.status_changed_translator import STATUS_CHANGED_TRANSLATION
from order_updates_service.use_cases import connect, disconnect, push_update, send_webhook
from pizza_contracts import WATCH_TOKEN_PURPOSE, WEBHOOK_SECRET_PURPOSE, about_order

# What the webhooks' requests call themselves.
WEBHOOK_USER_AGENT = "pizza-order-webhooks/1"
# The connections table's index of connections by the customer they watch.
BY_CUSTOMER_INDEX = "by-customer"
CUSTOMER_ID = "customerId"

_tracer = trace.get_tracer(__name__)


class WebhookDispatcherSettings(ConsumerSettings):
    webhook_queue_url: str
    webhook_secret_key_id: str
    callback_url_allowed_origins: AllowedOrigins = ()
    webhook_timeout_seconds: float = Field(default=5, gt=0, le=25)
    webhook_retry_base_seconds: int = Field(default=10, ge=1)
    webhook_retry_cap_seconds: int = Field(default=900, ge=1, le=43200)
    webhook_max_attempts: int = Field(default=8, ge=1, le=50)

    @model_validator(mode="after")
    def _backoff_in_range(self) -> WebhookDispatcherSettings:
        if self.webhook_retry_base_seconds > self.webhook_retry_cap_seconds:
            raise ValueError("WEBHOOK_RETRY_BASE_SECONDS must not exceed WEBHOOK_RETRY_CAP_SECONDS")
        return self


class ConnectionsSettings(TelemetrySettings):
    connections_table_name: str
    watch_token_key_id: str
    connection_ttl_seconds: int = Field(default=DEFAULT_CONNECTION_TTL_SECONDS, gt=0)


class BroadcasterSettings(TelemetrySettings):
    connections_table_name: str
    order_updates_management_url: str


def wire_webhooks(runtime: Runtime[WebhookDispatcherSettings]) -> Entrypoint:
    settings = runtime.settings
    key = KmsMac(runtime.client("kms"), settings.webhook_secret_key_id)
    sender = WebhookSender(
        webhook_http_client(settings.webhook_timeout_seconds),
        CallbackUrlPolicy(settings.callback_url_allowed_origins),
        utc_now,
        user_agent=WEBHOOK_USER_AGENT,
    )
    backoff = Backoff(
        settings.webhook_retry_base_seconds, settings.webhook_retry_cap_seconds, settings.webhook_max_attempts
    )

    def secret_of(order_id: str) -> bytes:
        return derived_secret(key, WEBHOOK_SECRET_PURPOSE, order_id)

    def deliver(call: WebhookCall) -> SpanFacts:
        try:
            status = send_webhook(call, sender, secret_of)
        except WebhookFailed as failure:
            raise RetryLater(str(failure)) from failure
        return {"http.response.status_code": status, "order.status": call.update.status}

    # Point-to-point, in the order's own trace: the outbox relay carried its context here.
    return consumer(
        runtime,
        STATUS_CHANGED_TRANSLATION,
        deliver,
        trace_mode=TraceMode.CONTINUE,
        rejects=(WebhookRefused,),
        retries=DelayedRetries(runtime.client("sqs"), settings.webhook_queue_url, backoff),
    ).process


def wire_connections(runtime: Runtime[ConnectionsSettings]) -> Entrypoint:
    settings = runtime.settings
    tokens = SignedTokens(KmsMac(runtime.client("kms"), settings.watch_token_key_id), WATCH_TOKEN_PURPOSE)
    connections = _registry(
        runtime.client("dynamodb"), settings.connections_table_name, settings.connection_ttl_seconds
    )

    def handle(event: Mapping[str, Any], _context: Any) -> dict[str, Any]:
        request = WebSocketRequest.of(event)
        if request.route_key == "$disconnect":
            disconnect(request.connection_id, connections)
            return websocket_answer(200)
        if request.route_key != "$connect":
            return websocket_answer(400, "this API takes no messages")
        customer_id = request.query.get("customerId")
        refused = connect(
            request.connection_id, customer_id, request.query.get("token"), tokens, connections, utc_now()
        )
        if refused is not None:
            runtime.logger.info("WebSocket connection refused", reason=refused.reason, status=refused.status)
            return websocket_answer(refused.status, refused.reason)
        runtime.logger.info("WebSocket connected", connection_id=request.connection_id)
        return websocket_answer(200)

    return handle


def wire_broadcaster(runtime: Runtime[BroadcasterSettings]) -> Entrypoint:
    settings = runtime.settings
    management = runtime.client("apigatewaymanagementapi", endpoint_url=settings.order_updates_management_url)
    pusher = ConnectionPusher(management, _registry(runtime.client("dynamodb"), settings.connections_table_name))

    def handle(event: Mapping[str, Any], _context: Any) -> dict[str, int]:
        pushed = 0
        # Best effort, in stream order: a failed post is counted, not retried (a page that missed
        # an update polls); a connection that is gone is forgotten.
        for update in status_updates(event.get("Records") or []):
            with _tracer.start_as_current_span("push order.status", kind=SpanKind.PRODUCER) as span:
                span.set_attributes({**about_order(update.order_id), "order.status": update.status})
                report = push_update(update, pusher)
                span.set_attributes({f"websocket.{name}": count for name, count in vars(report).items()})
            pushed += report.delivered
        return {"pushed": pushed}

    return handle


def _registry(dynamodb: Any, table_name: str, ttl_seconds: int = DEFAULT_CONNECTION_TTL_SECONDS) -> ConnectionRegistry:
    return ConnectionRegistry(
        dynamodb, table_name, group_attribute=CUSTOMER_ID, group_index=BY_CUSTOMER_INDEX, ttl_seconds=ttl_seconds
    )


webhook_handler = lambda_handler(WebhookDispatcherSettings, wire_webhooks)
connections_handler = lambda_handler(ConnectionsSettings, wire_connections)
broadcast_handler = lambda_handler(BroadcasterSettings, wire_broadcaster)
