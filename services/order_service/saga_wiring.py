"""The order saga's function: settings, the participants built once per cold start, its entry point.

A durable function: the SDK's ``durable_execution`` wraps the orchestrator, and Lambda invokes it
again after every suspension (the kitchen's callback, a retry delay). Every invocation runs under
the execution's one trace context (see integration_patterns.durable_tracing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit
from pydantic import Field, TypeAdapter, ValidationError, field_validator

from integration_patterns.claim_check_runtime import ClaimCheckSettings, claim_check
from integration_patterns.durable_tracing import captured_trace_context, invocation_span
from integration_patterns.errors import InvalidMessage
from integration_patterns.event_contracts import Identifier
from integration_patterns.field_encryption import KmsFieldCipher
from integration_patterns.runtime import Entrypoint, Runtime, lambda_handler, utc_now
from integration_patterns.sqs_sender import SqsCloudEventSender
from inventory_service.domain import DEFAULT_INITIAL_STOCK
from inventory_service.dynamodb_stock import DynamoDbStockLedger
from order_service.adapters.contracts import ORDER_EVENT_CLAIMS
from order_service.adapters.dynamodb_order_repository import DynamoDbOrderRepository
from order_service.adapters.outbox_messages import OrderEventMessages
from order_service.adapters.sqs_kitchen_requests import SqsKitchenRequests
from order_service.saga import SagaParticipants, run_order_saga
from payment_service.domain import Amount, PaymentPolicy
from payment_service.dynamodb_payments import DynamoDbPayments
from pizza_contracts import about_order


class OrderSagaSettings(ClaimCheckSettings):
    orders_table_name: str
    kitchen_queue_url: str
    # How long the saga waits for the kitchen's answer before giving up (and undoing its steps).
    kitchen_answer_timeout_seconds: int = Field(default=300, ge=1)
    # Which order.confirmed version confirm-order writes to the outbox, and the address's key.
    order_confirmed_version: int = Field(default=2, ge=1, le=2)
    order_pii_key_id: str
    kitchen_alert_lead_seconds: int = Field(default=1800, ge=0)
    inventory_stock_table_name: str
    inventory_reservations_table_name: str
    # A pizza's stock before anything was reserved or restocked (`pizza restock` tops it up).
    initial_stock: int = Field(default=DEFAULT_INITIAL_STOCK, ge=0)
    payments_table_name: str
    # Payments above this amount are declined; so are the demo customers below (documented).
    payment_limit_minor_units: int = Field(default=1_000_000, ge=0)
    payment_currency: str = "EUR"
    declined_customers: frozenset[str] = frozenset({"c-declined"})

    @field_validator("declined_customers", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value


def participants(runtime: Runtime[OrderSagaSettings]) -> SagaParticipants:
    settings, dynamodb = runtime.settings, runtime.client("dynamodb")
    claims = claim_check(runtime, ORDER_EVENT_CLAIMS)
    messages = OrderEventMessages(
        confirmed_version=settings.order_confirmed_version,
        encrypt=KmsFieldCipher(runtime.client("kms"), settings.order_pii_key_id).encrypt,
        key_id=settings.order_pii_key_id,
        claims=claims,
    )
    return SagaParticipants(
        orders=DynamoDbOrderRepository(dynamodb, settings.orders_table_name, messages.messages),
        stock=DynamoDbStockLedger(
            dynamodb,
            settings.inventory_stock_table_name,
            settings.inventory_reservations_table_name,
            settings.initial_stock,
        ),
        payments=DynamoDbPayments(dynamodb, settings.payments_table_name),
        payment_policy=PaymentPolicy(
            declined_customers=settings.declined_customers,
            limit=Amount(settings.payment_currency, settings.payment_limit_minor_units),
        ),
        kitchen=SqsKitchenRequests(SqsCloudEventSender(runtime.client("sqs"), settings.kitchen_queue_url), claims),
        kitchen_timeout_seconds=settings.kitchen_answer_timeout_seconds,
        alert_lead_time=timedelta(seconds=settings.kitchen_alert_lead_seconds),
        now=utc_now,
        raise_alarm=compensation_failure_alarm(settings.otel_service_name),
    )


# The metric infra/system.yaml alarms on (durable.alarm_metric), in the namespace the deployer watches.
COMPENSATIONS_FAILED = "CompensationsFailed"


def compensation_failure_alarm(service_name: str) -> Callable[[str], None]:
    """Emit CompensationsFailed (embedded metric format on stdout: no API call, no IAM grant)."""
    metrics = Metrics(namespace="pizza", service=service_name)

    def alarm(_reason: str) -> None:
        metrics.add_metric(name=COMPENSATIONS_FAILED, unit=MetricUnit.Count, value=1)
        metrics.flush_metrics()

    return alarm


_ORDER_ID = TypeAdapter(Identifier)


def order_id_of(execution_input: Mapping[str, Any]) -> str:
    try:
        return _ORDER_ID.validate_python(execution_input.get("orderId"))
    except ValidationError as error:
        raise InvalidMessage("orderId: the execution's input names no valid order id") from error


def wire_saga(runtime: Runtime[OrderSagaSettings]) -> Entrypoint:
    saga_participants = participants(runtime)

    def orchestrate(execution_input: Mapping[str, Any], context: DurableContext) -> dict[str, Any]:
        order_id = order_id_of(execution_input)
        carrier = captured_trace_context(context, execution_input)
        with invocation_span("order saga", carrier, about_order(order_id)):
            return run_order_saga(order_id, context.state.durable_execution_arn, context, saga_participants)

    # The SDK's own client for its checkpoints, built once per cold start like every other.
    handler: Entrypoint = durable_execution(orchestrate, boto3_client=runtime.client("lambda"))
    return handler


handler = lambda_handler(OrderSagaSettings, wire_saga)
