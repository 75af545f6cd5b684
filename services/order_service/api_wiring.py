"""The orders API's wiring: its settings, and what its routes work with, built once per cold start.

Apart from the order service's other functions (wiring.py): the API alone calls the inventory (for
GET /menu) and starts the saga, so only its zip carries the inventory's package.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from pydantic import Field, model_validator

from integration_patterns.callback_urls import AllowedOrigins, CallbackUrlPolicy
from integration_patterns.claim_check_runtime import ClaimCheckSettings, claim_check
from integration_patterns.durable_functions import DurableExecutionStarter
from integration_patterns.idempotent_requests import IdempotentRequests
from integration_patterns.kms_mac import KmsMac
from integration_patterns.runtime import Runtime, utc_now
from inventory_service.domain import DEFAULT_INITIAL_STOCK
from inventory_service.dynamodb_stock import DynamoDbStockLedger
from inventory_service.ports import StockLedger
from order_service.adapters.contracts import ORDER_EVENT_CLAIMS
from order_service.adapters.dynamodb_order_repository import DynamoDbOrderRepository
from order_service.adapters.order_updates import OrderUpdateCredentials
from order_service.adapters.outbox_messages import OrderEventMessages
from order_service.adapters.workflows import ChoreographedWorkflow, OrchestratedWorkflow
from order_service.ports import OrderRepository, OrderWorkflow

# How a placed order goes through: the orchestrated saga (a durable function) or the choreography.
WorkflowName = Literal["saga", "choreography"]


class OrderApiSettings(ClaimCheckSettings):
    orders_table_name: str
    # Where the kitchen replies: order.placed names it, and the outbox relay sends order.placed.
    acknowledgement_queue_url: str
    # Set where the API's address cannot be derived from the request (an emulator's URL scheme).
    public_api_url: str | None = None
    # POST /orders responses remembered by Idempotency-Key, and for how long (a day by default).
    idempotency_table_name: str
    idempotency_ttl_seconds: int = Field(default=86400, gt=0)
    # GET /menu: the inventory's stock levels (read only).
    inventory_stock_table_name: str
    inventory_reservations_table_name: str
    initial_stock: int = Field(default=DEFAULT_INITIAL_STOCK, ge=0)
    order_workflow: WorkflowName = "saga"
    # The saga's published alias (or version): durable executions never start on $LATEST.
    order_saga_function_arn: str | None = None
    # The WebSocket API customers watch their orders on, the HMAC key of its watch tokens, and the
    # one the orders' webhook secrets are derived with (a key each: see infra/system.yaml).
    order_updates_url: str
    watch_token_key_id: str
    webhook_secret_key_id: str
    watch_token_lifetime_seconds: int = Field(default=86400, gt=0)
    # callbackUrl: origins exempt from the https and public-address rules (a local receiver).
    callback_url_allowed_origins: AllowedOrigins = ()

    @model_validator(mode="after")
    def _saga_needs_its_function(self) -> OrderApiSettings:
        if self.order_workflow == "saga" and not self.order_saga_function_arn:
            raise ValueError("ORDER_WORKFLOW=saga needs ORDER_SAGA_FUNCTION_ARN (the saga's alias ARN)")
        return self


def new_order_id() -> str:
    return str(uuid.uuid4())


_KEYED_ORDER_IDS = uuid.UUID("0c6f3c1e-5b7a-4d2e-9a41-7f3e2d1c0b9a")


def order_id_for_key(idempotency_key: str) -> str:
    """The id of the order an Idempotency-Key places: the same key always names the same order."""
    return str(uuid.uuid5(_KEYED_ORDER_IDS, idempotency_key))


@dataclass(frozen=True)
class OrderApi:
    """What the HTTP API's routes work with, built once per cold start."""

    settings: OrderApiSettings
    orders: OrderRepository
    workflow: OrderWorkflow
    stock: StockLedger
    # POST /orders with an Idempotency-Key runs through here.
    requests: IdempotentRequests
    # Whether a callbackUrl may be called; what a client gets to watch an order without polling.
    callback_urls: CallbackUrlPolicy
    credentials: OrderUpdateCredentials
    new_order_id: Callable[[], str] = new_order_id
    order_id_for_key: Callable[[str], str] = order_id_for_key
    now: Callable[[], datetime] = utc_now


def order_api(runtime: Runtime[OrderApiSettings]) -> OrderApi:
    settings, dynamodb = runtime.settings, runtime.client("dynamodb")
    messages = OrderEventMessages(
        reply_queue_url=settings.acknowledgement_queue_url, claims=claim_check(runtime, ORDER_EVENT_CLAIMS)
    )
    store = DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name, boto3_client=dynamodb)
    return OrderApi(
        settings=settings,
        orders=DynamoDbOrderRepository(dynamodb, settings.orders_table_name, messages.messages),
        workflow=order_workflow(runtime),
        stock=DynamoDbStockLedger(
            dynamodb,
            settings.inventory_stock_table_name,
            settings.inventory_reservations_table_name,
            settings.initial_stock,
        ),
        requests=IdempotentRequests(store, key_prefix="POST /orders", ttl_seconds=settings.idempotency_ttl_seconds),
        callback_urls=CallbackUrlPolicy(settings.callback_url_allowed_origins),
        credentials=OrderUpdateCredentials(
            watch_tokens=KmsMac(runtime.client("kms"), settings.watch_token_key_id),
            webhook_secrets=KmsMac(runtime.client("kms"), settings.webhook_secret_key_id),
            websocket_url=settings.order_updates_url,
            token_lifetime=timedelta(seconds=settings.watch_token_lifetime_seconds),
        ),
    )


def order_workflow(runtime: Runtime[OrderApiSettings]) -> OrderWorkflow:
    settings = runtime.settings
    if settings.order_workflow == "choreography":
        return ChoreographedWorkflow()
    assert settings.order_saga_function_arn is not None  # the settings' own rule
    return OrchestratedWorkflow(DurableExecutionStarter(runtime.client("lambda"), settings.order_saga_function_arn))
