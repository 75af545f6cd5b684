"""The trace receiver serves the live page's files and its configuration, and nothing else under /live/."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from pizza_ops.live_page import PageConfig
from pizza_ops.telemetry import OtlpReceiver, SpanStore


@pytest.fixture
def receiver() -> Iterator[OtlpReceiver]:
    store = SpanStore(":memory:")
    with OtlpReceiver(store) as started:
        yield started
    store.close()


def test_the_page_and_its_modules_are_served_with_their_media_types(receiver: OtlpReceiver) -> None:
    # Given a running receiver
    # When the browser asks for the page, a module and the style sheet
    index = httpx.get(receiver.page_url)
    module = httpx.get(receiver.page_url + "app.js")
    style = httpx.get(receiver.page_url + "style.css")

    # Then each comes with the type a browser needs to use it (ES modules refuse any other)
    assert (index.status_code, index.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert '<script type="module" src="app.js">' in index.text
    assert (module.status_code, module.headers["content-type"]) == (200, "text/javascript; charset=utf-8")
    assert (style.status_code, style.headers["content-type"]) == (200, "text/css; charset=utf-8")


def test_the_page_without_its_slash_redirects_so_that_relative_links_resolve(receiver: OtlpReceiver) -> None:
    # When the page is asked for as /live
    response = httpx.get(receiver.endpoint + "/live")

    # Then the answer sends the browser to /live/, where app.js and config.json resolve
    assert (response.status_code, response.headers["location"]) == (301, "/live/")


def test_the_configuration_names_the_orders_api_once_it_is_set(receiver: OtlpReceiver) -> None:
    # Given a receiver started before the deployment, which alone knows the API's URL
    before = httpx.get(receiver.page_url + "config.json")

    # When the deployment's API URL is given to it
    receiver.page_config = PageConfig(api_url="http://127.0.0.1:4566/_aws/execute-api/abc/prod")
    after = httpx.get(receiver.page_url + "config.json")

    # Then the page learns it, and reads traces from its own origin
    assert before.status_code == 503
    assert after.status_code == 200
    assert after.json() == {"apiUrl": "http://127.0.0.1:4566/_aws/execute-api/abc/prod", "traceApiUrl": ""}


@pytest.mark.parametrize(
    "path",
    [
        "/live/../otlp_receiver.py",
        "/live/%2e%2e/otlp_receiver.py",
        "/live/..%2fotlp_receiver.py",
        "/live/../live_page/app.js",
        "/live/__init__.py",
        "/live/.hidden.js",
        "/live/sub/app.js",
        "/live/..",
        "/live/nothing-here.js",
    ],
)
def test_nothing_but_the_pages_own_files_is_served(receiver: OtlpReceiver, path: str) -> None:
    # Given the page's own module, which the same raw request does get
    assert _raw_get(receiver.endpoint, "/live/app.js").startswith(b"HTTP/1.1 200 ")

    # When a request names a file outside the page's directory, a module, or one that does not exist
    answer = _raw_get(receiver.endpoint, path)

    # Then nothing is served
    assert answer.startswith(b"HTTP/1.1 404 "), answer[:200]


def _raw_get(endpoint: str, path: str) -> bytes:
    """A request with its path byte for byte: HTTP clients remove `..` segments before sending."""
    url = urlsplit(endpoint)
    assert url.hostname and url.port
    with socket.create_connection((url.hostname, url.port), timeout=5) as connection:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nConnection: close\r\n\r\n".encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer
