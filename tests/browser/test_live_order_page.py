"""The live order page on the embedded stack: an order placed in the browser, its statuses pushed over
the WebSocket (or polled when the socket is gone), then its traces as a waterfall.

The orders API runs the saga here: its five statuses come a few hundred milliseconds apart, so
there is something to watch arrive (the choreography's two come within a tenth of a second).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from pizza_ops.function_settings import set_environment
from pizza_ops.stack import EmbeddedStack, emulator_credentials_session
from pizza_ops.telemetry import JaegerQueryClient, Trace, traces_of_order

SAGA_PATH = ["ACCEPTED", "STOCK_RESERVED", "PAID", "IN_KITCHEN", "CONFIRMED"]
FINAL_STATUSES = {"ACKNOWLEDGED", "CONFIRMED", "FAILED", "COMPENSATION_FAILED"}
# A cold saga or kitchen worker on a busy machine takes seconds; the saga waits 20 s at most.
ORDER_TIMEOUT_MS = 60_000
# Before the page's own scripts run: every value its connection indicator takes, in order.
RECORD_CONNECTION_STATES = """
window.connectionStates = [];
new MutationObserver((records) => {
  for (const record of records) window.connectionStates.push(record.target.dataset.connection);
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-connection"] });
"""


@pytest.fixture(scope="module", autouse=True)
def saga_workflow(stack: EmbeddedStack) -> Iterator[None]:
    assert stack.outputs is not None
    session = emulator_credentials_session(stack.config.region)
    lambda_client = session.client("lambda", endpoint_url=stack.emulator.endpoint)
    function = stack.outputs.function_names["order-api"]
    set_environment(lambda_client, function, {"ORDER_WORKFLOW": "saga"})
    yield
    set_environment(lambda_client, function, {"ORDER_WORKFLOW": "choreography"})


@pytest.fixture(scope="module")
def page_url(stack: EmbeddedStack, browser: Browser, saga_workflow: None) -> str:
    """The page, after one order went through it: the first order of a session meets cold workers
    (the socket's, the saga's, the kitchen's), slower than the saga itself."""
    context = browser.new_context()
    warm_up = context.new_page()
    warm_up.goto(stack.receiver.page_url)
    _place_order(warm_up)
    expect(warm_up.get_by_test_id("trace-link")).to_be_visible(timeout=ORDER_TIMEOUT_MS)
    context.close()
    return stack.receiver.page_url


def _place_order(page: Page, pizza: str = "Margherita", quantity: int = 2) -> str:
    # The menu comes from the API: once the pizza is an option, the page can order it.
    expect(page.locator(f'[data-testid="pizza"] option[value="{pizza}"]')).to_have_count(1, timeout=15_000)
    page.get_by_test_id("pizza").select_option(pizza)
    page.get_by_test_id("quantity").fill(str(quantity))
    page.get_by_test_id("place-order").click()
    order_id = page.get_by_test_id("order-id")
    expect(order_id).not_to_be_empty(timeout=15_000)
    expect(page.get_by_test_id("order-error")).to_be_hidden()
    return order_id.inner_text()


def _shown(page: Page, attribute: str) -> list[str]:
    return [row.get_attribute(attribute) or "" for row in page.get_by_test_id("status").all()]


def test_the_page_places_an_order_and_shows_each_status_as_it_happens(page: Page, page_url: str) -> None:
    # Given the live order page
    page.add_init_script(RECORD_CONNECTION_STATES)
    page.goto(page_url)

    # When a customer orders two pizzas on it
    order_id = _place_order(page)

    # Then every status of the order shows, in order, up to its confirmation
    expect(page.get_by_test_id("status")).to_have_count(len(SAGA_PATH), timeout=ORDER_TIMEOUT_MS)
    assert _shown(page, "data-status") == SAGA_PATH
    # And they came as they happened: the confirmation pushed over the socket (the ones before the
    # socket opened are read from the status URL once), and the page never had to poll
    channels = _shown(page, "data-channel")
    assert channels[-1] == "websocket", channels
    assert set(channels) <= {"polling", "websocket"}, channels
    states = page.evaluate("window.connectionStates")
    assert "open" in states and "polling" not in states, states
    assert states[-1] == "closed", states
    # And each status carries the time it happened, in the order's own sequence
    times = [time.get_attribute("datetime") or "" for time in page.locator('[data-testid="status"] time').all()]
    assert times == sorted(times) and len(times) == len(SAGA_PATH)
    # And, the order being final, the page offers its trace
    expect(page.get_by_test_id("trace-link")).to_have_attribute("href", f"#/trace/{order_id}")


def test_with_the_socket_cut_mid_way_the_page_polls_to_the_final_status(page: Page, page_url: str) -> None:
    # Given the live order page, whose socket the network drops right after its first push (that
    # push delivered only if the order is not final by then, so the end can come by polling only)
    def cut_after_first_push(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()
        cut = False

        def relay(message: str | bytes) -> None:
            nonlocal cut
            if cut:
                return
            cut = True
            if json.loads(message).get("status") not in FINAL_STATUSES:
                socket.send(message)
            socket.close(code=4000, reason="the test cut the connection")

        server.on_message(relay)

    page.route_web_socket(lambda url: "token=" in url, cut_after_first_push)
    page.add_init_script(RECORD_CONNECTION_STATES)
    page.goto(page_url)

    # When the customer places an order
    _place_order(page)

    # Then the page still shows every status, in order, up to the final one
    expect(page.get_by_test_id("status")).to_have_count(len(SAGA_PATH), timeout=ORDER_TIMEOUT_MS)
    assert _shown(page, "data-status") == SAGA_PATH
    # And it got there by polling the status URL once the socket was gone
    channels = _shown(page, "data-channel")
    assert channels[-1] == "polling", channels
    assert channels.count("websocket") <= 1, channels
    states = page.evaluate("window.connectionStates")
    assert states.index("open") < states.index("polling"), states
    expect(page.get_by_test_id("connection")).to_have_attribute("data-connection", "closed")
    expect(page.get_by_test_id("trace-link")).to_be_visible()


def test_the_trace_waterfall_shows_the_orders_spans_and_links_to_its_subscribers(
    page: Page, page_url: str, stack: EmbeddedStack
) -> None:
    # Given an order placed on the page, and final
    page.goto(page_url)
    order_id = _place_order(page)
    expect(page.get_by_test_id("trace-link")).to_be_visible(timeout=ORDER_TIMEOUT_MS)

    # When the customer follows the link to its trace
    page.get_by_test_id("trace-link").click()

    # Then the waterfall draws every span of the order's traces that the trace store holds (the
    # subscribers' traces come in as each one finishes: the view is reloaded until it has them)
    with JaegerQueryClient(stack.receiver.endpoint) as client:
        expected = _drawn_once_linked(page, lambda: traces_of_order(client, order_id))
    rows = page.get_by_test_id("span-row").all()
    assert _drawn_spans(page) == _spans_of(expected)
    # And every row names its service, and the legend lists each service once
    services = {span.service_name for trace in expected for span in trace.spans}
    assert {row.get_attribute("data-service") for row in rows} == services
    legend = [item.get_attribute("data-service") for item in page.get_by_test_id("legend-item").all()]
    assert sorted(legend) == sorted(services)
    # And the subscribers' traces are groups of their own, marked linked, with each link drawn
    linked_groups = page.locator('[data-testid="trace-group"][data-linked="true"]').all()
    assert {group.get_attribute("data-trace-id") for group in linked_groups} == _linking_traces(expected)
    drawn_links = {
        (link.get_attribute("data-from-span"), link.get_attribute("data-to-span"))
        for link in page.get_by_test_id("span-link").all()
    }
    assert drawn_links == _links_among(expected)


def _spans_of(traces: list[Trace]) -> set[tuple[str, str]]:
    return {(span.trace_id, span.span_id) for trace in traces for span in trace.spans}


def _links_among(traces: list[Trace]) -> set[tuple[str, str]]:
    """(linked span, linking span) for every link whose target is among the traces."""
    spans = _spans_of(traces)
    return {
        (link.span_id, span.span_id)
        for trace in traces
        for span in trace.spans
        for link in span.links
        if (link.trace_id, link.span_id) in spans
    }


def _linking_traces(traces: list[Trace]) -> set[str]:
    """The traces with a span linking into another of the traces: the subscribers'."""
    spans = _spans_of(traces)
    return {
        trace.trace_id
        for trace in traces
        for span in trace.spans
        for link in span.links
        if link.trace_id != trace.trace_id and (link.trace_id, link.span_id) in spans
    }


def _drawn_spans(page: Page) -> set[tuple[str, str]]:
    rows = page.get_by_test_id("span-row").all()
    return {(row.get_attribute("data-trace-id") or "", row.get_attribute("data-span-id") or "") for row in rows}


def _drawn_once_linked(page: Page, read_store: Callable[[], list[Trace]], timeout: float = 30) -> list[Trace]:
    """The store's traces of the order, once the page draws exactly them and they include linked ones."""
    waterfall = page.get_by_test_id("waterfall")
    deadline = time.monotonic() + timeout
    while True:
        # data-request numbers the view's loads: wait for the one this reload starts to finish.
        expect(waterfall).to_have_attribute("data-request", re.compile(r"\d+"))
        previous = int(waterfall.get_attribute("data-request") or 0)
        expected = read_store()
        page.get_by_test_id("show-trace").click()
        expect(waterfall).to_have_attribute("data-request", str(previous + 1))
        if _linking_traces(expected) and _drawn_spans(page) == _spans_of(expected):
            return expected
        if time.monotonic() > deadline:
            raise AssertionError(f"the page drew {_drawn_spans(page)}, the store holds {_spans_of(expected)}")
        time.sleep(0.5)
