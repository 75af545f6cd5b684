"""Lambda entry point: the orders HTTP API (API Gateway v2, payload 2.0)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from pydantic import ValidationError

from integration_patterns.http_api import (
    base_url_of,
    http_server_span,
    record_response_status,
    validation_problems,
)
from integration_patterns.tracing import flush_after
from order_service import bootstrap
from order_service.adapters.contracts import ORDER_ID_SPAN_ATTRIBUTE
from order_service.api_models import PlaceOrderRequest, accepted_response, order_view
from order_service.domain.order import OrderRuleViolation
from order_service.use_cases import get_order, place_order

app = APIGatewayHttpResolver()


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    return Response(status, content_types.APPLICATION_JSON, json.dumps(body), headers=headers)


@app.post("/orders")
def post_order() -> Response:
    api = bootstrap.order_api()
    request = PlaceOrderRequest.model_validate_json(app.current_event.decoded_body or "")
    order = place_order(request.to_command(), api.orders, api.new_order_id, api.now)
    status_url = f"{base_url_of(app.current_event.raw_event, api.settings.public_api_url)}/orders/{order.order_id}"
    api.logger.info("Order accepted", order_id=order.order_id)
    return _json(202, accepted_response(order, status_url), headers={"Location": status_url})


@app.get("/orders/<order_id>")
def get_order_status(order_id: str) -> Response:
    order = get_order(order_id, bootstrap.order_api().orders)
    if order is None:
        return _json(404, {"message": f"no order {order_id}"})
    return _json(200, order_view(order))


@app.exception_handler(ValidationError)
def invalid_request(error: ValidationError) -> Response:
    return _json(400, {"message": "the request is invalid", "errors": validation_problems(error)})


@app.exception_handler(OrderRuleViolation)
def rule_violation(error: OrderRuleViolation) -> Response:
    return _json(400, {"message": "the order breaks a rule", "errors": [{"field": "body", "reason": str(error)}]})


@flush_after
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    bootstrap.order_api()  # cold start: settings, tracing and clients, before the first span
    with http_server_span(event) as span:
        response = app.resolve(event, context)
        record_response_status(span, response)
        order_id = (event.get("pathParameters") or {}).get("orderId")
        if order_id:
            span.set_attribute(ORDER_ID_SPAN_ATTRIBUTE, order_id)
        return response
