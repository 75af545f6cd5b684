"""An orders API wired for unit tests: the real routes over in-memory twins (choreography by default)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from in_memory_idempotency_store import InMemoryIdempotencyStore

from integration_patterns.idempotent_requests import IdempotentRequests
from integration_patterns.runtime import utc_now
from order_service.adapters.workflows import ChoreographedWorkflow
from order_service.api_wiring import OrderApi, OrderApiSettings
from order_service.ports import OrderRepository, OrderWorkflow
from twins.inventory import InMemoryStockLedger
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
)


def wired_order_api(
    *,
    orders: OrderRepository | None = None,
    requests: IdempotentRequests | None = None,
    workflow: OrderWorkflow | None = None,
    stock: InMemoryStockLedger | None = None,
    new_order_id: Callable[[], str] = lambda: "order-1",
    order_id_for_key: Callable[[str], str] = lambda key: f"order-for-{key}",
    now: Callable[[], datetime] = utc_now,
) -> OrderApi:
    requests = requests or IdempotentRequests(InMemoryIdempotencyStore(), key_prefix="POST /orders", ttl_seconds=60)
    requests.register_lambda_context(LambdaContext())
    return OrderApi(
        settings=SETTINGS,
        orders=orders if orders is not None else InMemoryOrderRepository(),
        workflow=workflow or ChoreographedWorkflow(),
        stock=stock or InMemoryStockLedger(),
        requests=requests,
        new_order_id=new_order_id,
        order_id_for_key=order_id_for_key,
        now=now,
    )
