"""Lambda entry point: the orders HTTP API (API Gateway v2, payload 2.0).

Routes map requests to use cases and domain errors to HTTP answers, in one place; the API's
adapters are wired once per cold start (:func:`order_service.wiring.order_api`) and handed to the
routes through the resolver's context.

Powertools generates the API's OpenAPI 3.1 document (GET /openapi.json) from the routes: their
signatures (body, header, path parameter) and their declared answers
(:mod:`order_service.api_responses`). Its request validation stays off: it would read a body with
no Content-Type, or a form, as the order, keep the last of two equal keys, parse before the size
limit and answer its own 422 shape, where clients rely on the 415, 413 and 400 with
``{"message", "errors": [{"field", "reason"}]}`` that the routes give by validating by hand.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path
from opentelemetry import trace
from pydantic import ValidationError
from pydantic_core import PydanticUndefined

from integration_patterns.callback_urls import RefusedCallbackUrl
from integration_patterns.event_contracts import MAX_IDENTIFIER_LENGTH
from integration_patterns.http_api import (
    CONTENT_TYPE_HEADER,
    IDEMPOTENCY_KEY_HEADER,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    BadRequest,
    InvalidIdempotencyKey,
    PayloadTooLarge,
    UnsupportedMediaType,
    base_url_of,
    http_server_span,
    idempotency_key_of,
    json_body_of,
    path_identifier,
    record_response_status,
    validation_problems,
)
from integration_patterns.idempotent_requests import IdempotencyKeyReused, RequestInProgress
from integration_patterns.openapi import openapi_document
from integration_patterns.runtime import Entrypoint, Runtime, lambda_handler
from inventory_service.use_cases import stock_levels
from order_service.api_models import MAX_ORDER_BODY_BYTES, PlaceOrderRequest, accepted_response, menu_view, order_view
from order_service.api_responses import (
    DOCUMENT_RESPONSES,
    MENU_RESPONSES,
    ORDER_STATUS_RESPONSES,
    PLACE_ORDER_EXAMPLES,
    PLACE_ORDER_RESPONSES,
)
from order_service.api_wiring import OrderApi, OrderApiSettings, order_api
from order_service.domain.menu import NotOnTheMenu, menu
from order_service.domain.order import Order, OrderAlreadyExists, OrderRuleViolation
from order_service.use_cases import get_order, place_order, place_order_once
from pizza_contracts import about_order

app = APIGatewayHttpResolver()

# The Retry-After hint of an order still moving (whole seconds, as HTTP has it).
POLL_AGAIN_SECONDS = 1

# For the document only. Powertools describes a route from its signature, but with its validation off
# it hands a route nothing but the path's parameters: POST /orders reads its body and its header
# itself, and those parameters keep these defaults. The first is Powertools' "no default", so the
# document marks the body required; the second makes the header optional, and never null.
_READ_BY_THE_ROUTE: Any = PydanticUndefined
_OPTIONAL: Any = None


def _api() -> OrderApi:
    api: OrderApi = app.context["api"]
    return api


# Routes return Response[str]: Powertools reads a route's return annotation for the document and
# cannot read a bare Response; the bodies are documented per status (api_responses) instead.
def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(status, content_types.APPLICATION_JSON, json.dumps(body), headers=headers)


@app.post(
    "/orders",
    summary="Place an order",
    description="Stored and answered at once (202); the order then moves on by itself. Poll its statusUrl, "
    "watch it over the WebSocket, or give a callbackUrl for webhooks.",
    responses=PLACE_ORDER_RESPONSES,
)
def post_order(
    _order: Annotated[
        PlaceOrderRequest, Body(description="the order", openapi_examples=PLACE_ORDER_EXAMPLES)
    ] = _READ_BY_THE_ROUTE,
    _idempotency_key: Annotated[
        str,
        Header(
            alias=IDEMPOTENCY_KEY_HEADER,
            min_length=1,
            max_length=MAX_IDEMPOTENCY_KEY_LENGTH,
            description="a fresh UUID per order: a resend with it gets the first answer again, and creates nothing",
        ),
    ] = _OPTIONAL,
) -> Response[str]:
    api = _api()
    key = idempotency_key_of(app.current_event.headers)
    request = PlaceOrderRequest.model_validate_json(json_body_of(app.current_event.raw_event, MAX_ORDER_BODY_BYTES))
    if request.callback_url is not None:
        api.callback_urls.check(request.callback_url)
    if key is None:
        order = place_order(request.to_command(), api.orders, api.workflow, api.new_order_id, api.now)
        return _accepted(_accepted_body(order), request)
    # Only accepted orders are remembered against the key: a body that fails validation (above)
    # or an order rule (in the work; the pending record is then deleted) is not, so the client can
    # correct it and retry with the same key (as with Stripe, where results are saved only once
    # the endpoint has started executing). The request compared is the validated one, dumped
    # canonically: field order, whitespace and spelled-out defaults do not make bodies differ.
    # The key is global to the API, which has no client identity to scope it by.
    completed = api.requests.run_once(key, lambda: _place_once(request, key), request=request.model_dump(mode="json"))
    if completed.replayed:
        app.context["logger"].info("Order request replayed by Idempotency-Key", idempotency_key=key)
    return _accepted(completed.result, request, replayed=completed.replayed)


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


def _accepted(body: dict[str, Any], request: PlaceOrderRequest, replayed: bool = False) -> Response[str]:
    """The 202, with what lets the client watch the order: made for each answer, never remembered
    with the response for an Idempotency-Key (see :mod:`order_service.adapters.order_updates`)."""
    api = _api()
    body = {**body, **api.credentials.watch(request.customer_id, api.now())}
    if request.callback_url is not None:
        body["webhookSecret"] = api.credentials.webhook_secret(body["orderId"])
    headers = {"Location": body["statusUrl"]}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return _json(202, body, headers=headers)


@app.get("/orders/<orderId>", summary="An order's status and history", responses=ORDER_STATUS_RESPONSES)
def get_order_status(
    # Named as the document and the deployed route name it.
    orderId: Annotated[str, Path(min_length=1, max_length=MAX_IDENTIFIER_LENGTH)],  # noqa: N803
) -> Response[str]:
    # Checked before it is looked up: an id over 2,048 bytes is more than DynamoDB takes as a key.
    order_id = path_identifier(orderId, "orderId")
    trace.get_current_span().set_attributes(about_order(order_id))
    order = get_order(order_id, _api().orders)
    if order is None:
        return _json(404, {"message": "no order has this orderId"})
    # While the order still moves, when to ask again: most orders are final within a second (the
    # saga's median is about 0.7 s here, the choreography's 0.07 s), so a poller asks about once.
    headers = None if order.status.is_final else {"Retry-After": str(POLL_AGAIN_SECONDS)}
    return _json(200, order_view(order), headers=headers)


# Routes are exact: /orders/ (a trailing slash) is not /orders, and no other path is either. A
# client that adds a slash gets this 404 rather than an order it may not have meant to place.
@app.get("/menu", summary="What can be ordered, at what price, and whether it is in stock", responses=MENU_RESPONSES)
def get_menu() -> Response[str]:
    levels = stock_levels(menu(), _api().stock)
    return _json(200, menu_view(levels))


@app.get("/openapi.json", summary="This API's OpenAPI 3.1 document", responses=DOCUMENT_RESPONSES)
def get_openapi_document() -> Response[str]:
    return _json(200, _document(base_url_of(app.current_event.raw_event, _api().settings.public_api_url)))


@cache
def _document(server_url: str) -> dict[str, Any]:
    # Made once per environment: the routes do not change while it runs.
    return openapi_document(app, title="Pizza orders API", version="1", server_url=server_url)


@app.not_found
def no_such_route(_: NotFoundError) -> Response:
    message = "no such route: GET /openapi.json lists this API's routes, matched exactly (no trailing slash)"
    return _json(404, {"message": message})


@app.exception_handler(UnsupportedMediaType)
def unsupported_media_type(error: UnsupportedMediaType) -> Response:
    problem = {"field": CONTENT_TYPE_HEADER, "reason": str(error)}
    return _json(415, {"message": "the request body must be JSON", "errors": [problem]})


@app.exception_handler(PayloadTooLarge)
def payload_too_large(error: PayloadTooLarge) -> Response:
    return _json(413, {"message": "the order is too large", "errors": [{"field": "body", "reason": str(error)}]})


@app.exception_handler(RefusedCallbackUrl)
def refused_callback_url(error: RefusedCallbackUrl) -> Response:
    problem = {"field": "callbackUrl", "reason": str(error)}
    return _json(400, {"message": "the callback URL may not be used", "errors": [problem]})


@app.exception_handler(BadRequest)
def bad_request(error: BadRequest) -> Response:
    return _json(400, {"message": "the request is invalid", "errors": error.problems})


@app.exception_handler(ValidationError)
def invalid_request(error: ValidationError) -> Response:
    return _json(400, {"message": "the request is invalid", "errors": validation_problems(error)})


@app.exception_handler(OrderRuleViolation)
def rule_violation(error: OrderRuleViolation) -> Response:
    return _json(400, {"message": "the order breaks a rule", "errors": [{"field": "body", "reason": str(error)}]})


# The request's model lets only menu pizzas through; this is the domain's own guard behind it.
@app.exception_handler(NotOnTheMenu)
def not_on_the_menu(error: NotOnTheMenu) -> Response:
    problem = {"field": "items", "reason": "every pizza must be on the menu"}
    return _json(400, {"message": "the order breaks a rule", "errors": [problem]})


@app.exception_handler(InvalidIdempotencyKey)
def invalid_idempotency_key(error: InvalidIdempotencyKey) -> Response:
    problem = {"field": IDEMPOTENCY_KEY_HEADER, "reason": str(error)}
    return _json(400, {"message": "the request is invalid", "errors": [problem]})


# 422, not 409: the request is well formed but can never be processed as sent, because its key
# belongs to another request (Stripe answers a key reused with other parameters the same way);
# 409 is kept for a key still in progress, where retrying the same request will succeed.
# Error bodies name the header, never repeat the key: it is the client's input.
@app.exception_handler(IdempotencyKeyReused)
def idempotency_key_reused(error: IdempotencyKeyReused) -> Response:
    return _json(422, {"message": f"this {IDEMPOTENCY_KEY_HEADER} was already used with a different request body"})


# How long a client should wait before retrying a request whose key is still in progress: an
# order is accepted in well under a second.
IN_PROGRESS_RETRY_AFTER_SECONDS = 1


@app.exception_handler(RequestInProgress)
def request_in_progress(error: RequestInProgress) -> Response:
    message = (
        f"a request with this {IDEMPOTENCY_KEY_HEADER} is still in progress; "
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
            return response

    return serve


handler = lambda_handler(OrderApiSettings, wire)
