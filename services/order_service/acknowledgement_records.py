"""One acknowledgement message: translate it, then run the use case."""

from __future__ import annotations

from datetime import timedelta

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from opentelemetry import trace

from integration_patterns.cloudevents_envelope import from_json
from integration_patterns.errors import InvalidMessage
from order_service.adapters.acknowledgement_translator import translate_acknowledgement
from order_service.adapters.contracts import ORDER_ID_SPAN_ATTRIBUTE
from order_service.domain.acknowledgement import UnknownOrder
from order_service.ports import OrderRepository
from order_service.use_cases import acknowledge_order


def handle_acknowledgement(
    record: SQSRecord,
    orders: OrderRepository,
    alert_lead_time: timedelta,
) -> None:
    acknowledgement = translate_acknowledgement(from_json(record.body or ""))
    span = trace.get_current_span()
    span.set_attribute(ORDER_ID_SPAN_ATTRIBUTE, acknowledgement.order_id)
    try:
        outcome = acknowledge_order(acknowledgement, orders, alert_lead_time)
    except UnknownOrder as error:
        raise InvalidMessage(str(error)) from error
    span.set_attribute("order.acknowledgement.outcome", outcome.value)
