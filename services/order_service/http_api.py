"""Lambda entry point: the orders HTTP API (API Gateway v2, payload 2.0).

Routes map requests to use cases and domain errors to HTTP answers, in one place; the API's
adapters are wired once per cold start (:func:`order_service.wiring.order_api`) and handed to the
routes through the resolver's context.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from pydantic import ValidationError

from integration_patterns.http_api import (
    IDEMPOTENCY_KEY_HEADER,
    InvalidIdempotencyKey,
    base_url_of,
    http_server_span,
    idempotency_key_of,
    record_response_status,
    validation_problems,
)
from integration_patterns.idempotent_requests import IdempotencyKeyReused, RequestInProgress
from integration_patterns.runtime import Entrypoint, Runtime, lambda_handler
from order_service.api_models import PlaceOrderRequest, accepted_response, order_view
from order_service.domain.order import Order, OrderAlreadyExists, OrderRuleViolation
from order_service.use_cases import get_order, place_order, place_order_once
from order_service.wiring import OrderApi, OrderApiSettings, order_api
from pizza_contracts import about_order

app = APIGatewayHttpResolver()


def _api() -> OrderApi:
    api: OrderApi = app.context["api"]
    return api


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    return Response(status, content_types.APPLICATION_JSON, json.dumps(body), headers=headers)


@app.post("/orders")
def post_order() -> Response:
    api = _api()
    key = idempotency_key_of(app.current_event.headers)
    request = PlaceOrderRequest.model_validate_json(app.current_event.decoded_body or "")
    if key is None:
        order = place_order(request.to_command(), api.orders, api.workflow, api.new_order_id, api.now)
        return _accepted(_accepted_body(order))
    # Only accepted orders are remembered against the key: a body that fails validation (above)
    # or an order rule (in the work; the pending record is then deleted) is not, so the client can
    # correct it and retry with the same key (as with Stripe, where results are saved only once
    # the endpoint has started executing). The request compared is the validated one, dumped
    # canonically: field order, whitespace and spelled-out defaults do not make bodies differ.
    # The key is global to the API, which has no client identity to scope it by.
    completed = api.requests.run_once(key, lambda: _place_once(request, key), request=request.model_dump(mode="json"))
    if completed.replayed:
        app.context["logger"].info("Order request replayed by Idempotency-Key", idempotency_key=key)
    return _accepted(completed.result, replayed=completed.replayed)


def _place_once(request: PlaceOrderRequest, key: str) -> dict[str, str]:
    """The order's id comes from the key, so even if the remembered response is lost (the function
    stopped between storing the order and remembering its response), a retry finds the order
    instead of placing a second one."""
    api = _api()
    try:
        order = place_order_once(request.to_command(), api.orders, api.workflow, api.order_id_for_key(key), api.now)
    except OrderAlreadyExists as error:
        raise IdempotencyKeyReused(key) from error
    return _accepted_body(order)


def _accepted_body(order: Order) -> dict[str, str]:
    api = _api()
    status_url = f"{base_url_of(app.current_event.raw_event, api.settings.public_api_url)}/orders/{order.order_id}"
    app.context["logger"].info("Order accepted", order_id=order.order_id)
    return accepted_response(order, status_url)


def _accepted(body: dict[str, Any], replayed: bool = False) -> Response:
    headers = {"Location": body["statusUrl"]}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return _json(202, body, headers=headers)


@app.get("/orders/<order_id>")
def get_order_status(order_id: str) -> Response:
    order = get_order(order_id, _api().orders)
    if order is None:
        return _json(404, {"message": f"no order {order_id}"})
    return _json(200, order_view(order))


@app.exception_handler(ValidationError)
def invalid_request(error: ValidationError) -> Response:
    return _json(400, {"message": "the request is invalid", "errors": validation_problems(error)})


@app.exception_handler(OrderRuleViolation)
def rule_violation(error: OrderRuleViolation) -> Response:
    return _json(400, {"message": "the order breaks a rule", "errors": [{"field": "body", "reason": str(error)}]})


@app.exception_handler(InvalidIdempotencyKey)
def invalid_idempotency_key(error: InvalidIdempotencyKey) -> Response:
    problem = {"field": IDEMPOTENCY_KEY_HEADER, "reason": str(error)}
    return _json(400, {"message": "the request is invalid", "errors": [problem]})


# 422, not 409: the request is well formed but can never be processed as sent, because its key
# belongs to another request (Stripe answers a key reused with other parameters the same way);
# 409 is kept for a key still in progress, where retrying the same request will succeed.
@app.exception_handler(IdempotencyKeyReused)
def idempotency_key_reused(error: IdempotencyKeyReused) -> Response:
    message = f"{IDEMPOTENCY_KEY_HEADER} {error.key!r} was already used with a different request body"
    return _json(422, {"message": message})


# How long a client should wait before retrying a request whose key is still in progress: an
# order is accepted in well under a second.
IN_PROGRESS_RETRY_AFTER_SECONDS = 1


@app.exception_handler(RequestInProgress)
def request_in_progress(error: RequestInProgress) -> Response:
    message = (
        f"a request with {IDEMPOTENCY_KEY_HEADER} {error.key!r} is still in progress; "
        f"retry in {IN_PROGRESS_RETRY_AFTER_SECONDS} s to get its response"
    )
    return _json(409, {"message": message}, headers={"Retry-After": str(IN_PROGRESS_RETRY_AFTER_SECONDS)})


def wire(runtime: Runtime[OrderApiSettings]) -> Entrypoint:
    api = order_api(runtime)

    def serve(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        api.requests.register_lambda_context(context)
        with http_server_span(dict(event)) as span:
            app.append_context(api=api, logger=runtime.logger)
            response = app.resolve(dict(event), context)
            record_response_status(span, response)
            order_id = (event.get("pathParameters") or {}).get("orderId")
            if order_id:
                span.set_attributes(about_order(order_id))
            return response

    return serve


handler = lambda_handler(OrderApiSettings, wire)
