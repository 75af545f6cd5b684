"""Webhooks sent the Standard Webhooks way, to a real HTTP receiver on this machine (an allowed
origin on 127.0.0.1, so no network is needed): signed so a receiver's library verifies them, the
body as signed, redirects never followed, outcomes sorted into "never" and "maybe later", and the
URL checked again, and connected to at the checked address, at every send."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from standardwebhooks import Webhook

from integration_patterns.callback_urls import CallbackUrlPolicy, RefusedCallbackUrl, UnresolvedForNow
from integration_patterns.webhooks import (
    WebhookFailed,
    WebhookMessage,
    WebhookRefused,
    WebhookSender,
    secret_text,
)

SECRET = bytes(range(32))
# Not canonical JSON on purpose (spacing, key order, an escape): it must arrive exactly like this.
BODY = b'{"type":"order.status_changed", "data": {"z":1,"a":"caf\\u00e9"}}'


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes


@dataclass
class Receiver:
    """A local HTTP server answering every request with ``status`` (after ``delay`` seconds)."""

    status: int = 204
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    port: int = 0
    _release: threading.Event = field(default_factory=threading.Event)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve(self) -> ThreadingHTTPServer:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self._answer()

            def do_GET(self) -> None:
                self._answer()

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append(
                    Received(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                if receiver.delay:
                    receiver._release.wait(receiver.delay)
                self.send_response(receiver.status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        return server

    def release(self) -> None:
        self._release.set()


class _Servers:
    """Receivers running in threads, stopped (and any slow one released) after the test."""

    def __init__(self) -> None:
        self._running: list[tuple[Receiver, ThreadingHTTPServer]] = []

    def start(self, receiver: Receiver) -> Receiver:
        server = receiver.serve()
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
        self._running.append((receiver, server))
        return receiver

    def stop_all(self) -> None:
        for receiver, server in self._running:
            receiver.release()
            server.shutdown()
            server.server_close()


@pytest.fixture
def servers() -> Iterator[_Servers]:
    running = _Servers()
    yield running
    running.stop_all()


def _sender(allowed: Sequence[str], *, timeout: float = 5.0) -> WebhookSender:
    """A sender whose only exemptions are ``allowed`` origins (real DNS is never needed for them)."""
    return WebhookSender(
        httpx.Client(timeout=timeout, trust_env=False), CallbackUrlPolicy(allowed), lambda: datetime.now(UTC)
    )


def _message(url: str, body: bytes = BODY) -> WebhookMessage:
    return WebhookMessage(message_id="msg_2mS5a8b1", url=url, body=body, secret=SECRET)


def test_a_delivered_webhook_carries_standard_webhooks_headers_that_a_receivers_library_verifies(
    servers: _Servers,
) -> None:
    # Given a receiver on an allowed local origin
    receiver = servers.start(Receiver(status=204))
    before = int(datetime.now(UTC).timestamp())

    # When a webhook is sent to it
    status = _sender([receiver.origin]).send(_message(f"{receiver.origin}/hooks/orders?tenant=7"))

    # Then the receiver's status comes back, and it got one POST to the URL's path with the id,
    # the attempt's timestamp, and a signature the standardwebhooks library accepts with the secret
    assert status == 204
    [request] = receiver.requests
    assert (request.method, request.path) == ("POST", "/hooks/orders?tenant=7")
    assert request.headers["webhook-id"] == "msg_2mS5a8b1"
    assert before <= int(request.headers["webhook-timestamp"]) <= int(datetime.now(UTC).timestamp())
    assert request.headers["content-type"] == "application/json"
    assert Webhook(SECRET).verify(request.body, dict(request.headers)) == {
        "type": "order.status_changed",
        "data": {"z": 1, "a": "café"},
    }


def test_the_body_is_sent_byte_for_byte_as_it_was_signed(servers: _Servers) -> None:
    # Given a receiver
    receiver = servers.start(Receiver(status=200))

    # When a body that is not canonical JSON is sent
    _sender([receiver.origin]).send(_message(f"{receiver.origin}/in"))

    # Then the very same bytes arrived, and they verify as raw bytes
    [request] = receiver.requests
    assert request.body == BODY
    Webhook(SECRET).verify(request.body, dict(request.headers), json_parse=False)


def test_a_webhook_signed_with_another_secret_does_not_verify(servers: _Servers) -> None:
    # Given a webhook delivered with our secret
    receiver = servers.start(Receiver(status=200))
    _sender([receiver.origin]).send(_message(f"{receiver.origin}/in"))
    [request] = receiver.requests

    # When a receiver verifies it with another secret, Then it is refused
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(bytes(32)).verify(request.body, dict(request.headers))


def test_the_secret_text_is_the_whsec_form_receivers_configure_and_it_verifies_too(servers: _Servers) -> None:
    # Given a webhook delivered with our secret
    receiver = servers.start(Receiver(status=200))
    _sender([receiver.origin]).send(_message(f"{receiver.origin}/in"))
    [request] = receiver.requests

    # When the receiver configures the secret as the text we hand out
    text = secret_text(SECRET)

    # Then it is whsec_ and the secret's standard base64, and a library given it verifies the webhook
    assert text == "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    Webhook(text).verify(request.body, dict(request.headers))


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_any_2xx_is_a_delivery_and_its_status_is_returned(servers: _Servers, status: int) -> None:
    # Given a receiver answering a 2xx
    receiver = servers.start(Receiver(status=status))

    # When a webhook is sent, Then that status is returned
    assert _sender([receiver.origin]).send(_message(f"{receiver.origin}/in")) == status


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_refused_and_where_it_points_is_never_requested(servers: _Servers, status: int) -> None:
    # Given a receiver redirecting to a second server (a trap standing for an internal address),
    # both on allowed origins so that only the no-redirect rule can keep the trap untouched
    trap = servers.start(Receiver(status=200))
    redirecting = servers.start(Receiver(status=status, headers={"Location": f"{trap.origin}/internal"}))
    sender = _sender([redirecting.origin, trap.origin])

    # When a webhook is sent
    with pytest.raises(WebhookRefused, match="redirect"):
        sender.send(_message(f"{redirecting.origin}/in"))

    # Then it is refused for good, and the trap was never asked anything
    assert len(redirecting.requests) == 1
    assert trap.requests == []


def test_410_gone_is_refused_for_good(servers: _Servers) -> None:
    # Given a receiver that says it takes no more webhooks here
    receiver = servers.start(Receiver(status=410))

    # When a webhook is sent, Then the refusal says so
    with pytest.raises(WebhookRefused, match="410"):
        _sender([receiver.origin]).send(_message(f"{receiver.origin}/in"))


@pytest.mark.parametrize("status", [400, 404, 429, 500, 502, 503])
def test_any_other_status_is_a_failure_worth_retrying(servers: _Servers, status: int) -> None:
    # Given a receiver in trouble (or throttling us)
    receiver = servers.start(Receiver(status=status))

    # When a webhook is sent, Then it fails naming the status, so the caller retries later
    with pytest.raises(WebhookFailed, match=str(status)):
        _sender([receiver.origin]).send(_message(f"{receiver.origin}/in"))


def test_a_receiver_that_cannot_be_reached_is_a_failure_worth_retrying() -> None:
    # Given a port nothing listens on (bound, then released)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    origin = f"http://127.0.0.1:{port}"

    # When a webhook is sent there, Then it fails as unreachable
    with pytest.raises(WebhookFailed, match="could not be reached"):
        _sender([origin]).send(_message(f"{origin}/in"))


def test_a_receiver_slower_than_the_timeout_is_a_failure_worth_retrying(servers: _Servers) -> None:
    # Given a receiver that takes 5 s to answer, and a sender that waits 0.2 s
    receiver = servers.start(Receiver(status=200, delay=5))
    sender = _sender([receiver.origin], timeout=0.2)

    # When a webhook is sent, Then it fails as timed out (and the test does not wait the 5 s)
    with pytest.raises(WebhookFailed, match="did not answer in time"):
        sender.send(_message(f"{receiver.origin}/in"))


class SwitchingDns:
    """Answers ``host`` with whatever ``address`` is now (a name whose owner repoints it)."""

    def __init__(self, host: str, address: str) -> None:
        self.host = host
        self.address = address

    def __call__(self, host: str, port: int) -> list[str]:
        if host != self.host:
            raise RefusedCallbackUrl(f"the host {host!r} does not resolve")
        return [self.address]


def test_the_url_is_checked_again_at_send_time_and_a_name_repointed_inside_is_refused_unconnected() -> None:
    # Given a URL accepted while its name pointed at a public address
    dns = SwitchingDns("hooks.example", "93.184.215.14")
    policy = CallbackUrlPolicy(resolve=dns)
    policy.check("https://hooks.example/in")
    attempts: list[httpx.Request] = []
    http = httpx.Client(transport=httpx.MockTransport(lambda request: attempts.append(request) or httpx.Response(200)))
    sender = WebhookSender(http, policy, lambda: datetime.now(UTC))

    # When its owner repoints it at a private address, and a webhook is sent
    dns.address = "10.0.0.1"
    with pytest.raises(WebhookRefused, match="not a public address"):
        sender.send(_message("https://hooks.example/in"))

    # Then it is refused for good, and no request was made at all
    assert attempts == []


def test_the_request_goes_to_the_checked_address_with_the_urls_host_name(servers: _Servers) -> None:
    # Given a receiver on 127.0.0.1 and a made-up name that resolves (here only) to it
    receiver = servers.start(Receiver(status=204))
    policy = CallbackUrlPolicy(
        [f"http://hooks.example:{receiver.port}"], resolve=SwitchingDns("hooks.example", "127.0.0.1")
    )
    sender = WebhookSender(httpx.Client(timeout=5, trust_env=False), policy, lambda: datetime.now(UTC))

    # When a webhook is sent to the name (which no real DNS knows)
    status = sender.send(_message(f"http://hooks.example:{receiver.port}/in"))

    # Then it reached the checked address, and the receiver saw the URL's host name and port
    assert status == 204
    [request] = receiver.requests
    assert request.headers["host"] == f"hooks.example:{receiver.port}"
    assert request.path == "/in"


def test_on_the_default_port_the_host_header_is_the_bare_host_name() -> None:
    # Given a public https URL on the default port
    seen: list[httpx.Request] = []
    http = httpx.Client(transport=httpx.MockTransport(lambda request: seen.append(request) or httpx.Response(204)))
    policy = CallbackUrlPolicy(resolve=SwitchingDns("hooks.example", "93.184.215.14"))

    # When a webhook is sent
    WebhookSender(http, policy, lambda: datetime.now(UTC)).send(_message("https://hooks.example/in?x=1"))

    # Then it goes to the checked address over https, Host naming the host, TLS's server name too
    [request] = seen
    assert str(request.url) == "https://93.184.215.14/in?x=1"
    assert request.headers["host"] == "hooks.example"
    assert request.extensions["sni_hostname"] == "hooks.example"


def test_an_ipv6_literal_url_keeps_its_brackets_in_the_host_header() -> None:
    # Given a URL naming a public IPv6 address directly, on a non-default port
    seen: list[httpx.Request] = []
    http = httpx.Client(transport=httpx.MockTransport(lambda request: seen.append(request) or httpx.Response(204)))
    policy = CallbackUrlPolicy(resolve=lambda host, _port: [host])

    # When a webhook is sent to it
    WebhookSender(http, policy, lambda: datetime.now(UTC)).send(_message("https://[2606:4700:4700::1111]:8443/in"))

    # Then the Host header is the URL's authority, the address in brackets
    [request] = seen
    assert request.headers["host"] == "[2606:4700:4700::1111]:8443"


def test_a_lookup_that_fails_for_now_is_a_failure_worth_retrying_not_a_refusal() -> None:
    # Given a callback URL whose name cannot be looked up just now (the DNS server is unreachable)
    def dns(host: str, port: int) -> list[str]:
        raise UnresolvedForNow(f"the host {host!r} could not be looked up just now; try again")

    attempts: list[httpx.Request] = []
    http = httpx.Client(transport=httpx.MockTransport(lambda request: attempts.append(request) or httpx.Response(200)))
    sender = WebhookSender(http, CallbackUrlPolicy(resolve=dns), lambda: datetime.now(UTC))

    # When a webhook is sent, Then the attempt fails (to be retried), and nothing was requested
    with pytest.raises(WebhookFailed, match="just now"):
        sender.send(_message("https://hooks.example/in"))
    assert attempts == []
