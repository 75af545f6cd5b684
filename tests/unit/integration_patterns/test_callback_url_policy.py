"""Callback URLs are checked so a webhook cannot be aimed at our own network: https only, nothing
hidden in the URL, every address the host resolves to public, and a developer's allowed origin
exempt only for exactly that origin. The resolver is injected: no test here asks real DNS."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Mapping, Sequence

import pytest

from integration_patterns.callback_urls import (
    MAX_URL_LENGTH,
    CallbackUrlPolicy,
    RefusedCallbackUrl,
    UnresolvedForNow,
    allowed_origins_setting,
    system_resolver,
)

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"


class FakeDns:
    """Answers from a table (host -> addresses) and notes each question; an unknown host does not resolve."""

    def __init__(self, answers: Mapping[str, Sequence[str]]) -> None:
        self._answers = answers
        self.asked: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> Sequence[str]:
        self.asked.append((host, port))
        if host not in self._answers:
            raise RefusedCallbackUrl(f"the host {host!r} does not resolve")
        return self._answers[host]


def _policy(answers: Mapping[str, Sequence[str]], allowed: Sequence[str] = ()) -> CallbackUrlPolicy:
    return CallbackUrlPolicy(allowed, resolve=FakeDns(answers))


def test_an_https_url_to_a_public_host_is_accepted_with_the_address_to_call() -> None:
    # Given a host that resolves to one public address
    policy = _policy({"hooks.example.com": [PUBLIC_V4]})

    # When its https URL is checked
    checked = policy.check("https://Hooks.Example.com/pizza?tenant=7")

    # Then it passes, with the host lower-cased, the default port and the very address resolved
    assert (checked.scheme, checked.host, checked.port) == ("https", "hooks.example.com", 443)
    assert checked.address == ipaddress.ip_address(PUBLIC_V4)
    assert checked.url == "https://Hooks.Example.com/pizza?tenant=7"
    assert checked.origin == "https://hooks.example.com:443"


def test_the_resolver_is_asked_for_the_urls_host_and_port() -> None:
    # Given a resolver that records what it is asked
    dns = FakeDns({"hooks.example.com": [PUBLIC_V6]})
    policy = CallbackUrlPolicy(resolve=dns)

    # When a URL with an explicit port is checked
    checked = policy.check("https://hooks.example.com:8443/in")

    # Then the lookup was for that host and port, and an IPv6 answer is fine when public
    assert dns.asked == [("hooks.example.com", 8443)]
    assert checked.port == 8443 and checked.address == ipaddress.ip_address(PUBLIC_V6)


@pytest.mark.parametrize("url", ["http://hooks.example.com/in", "ftp://hooks.example.com/in", "//hooks.example.com/in"])
def test_a_scheme_other_than_https_is_refused(url: str) -> None:
    # Given a public host
    policy = _policy({"hooks.example.com": [PUBLIC_V4]})

    # When a URL that is not https is checked, Then it is refused, naming the rule
    with pytest.raises(RefusedCallbackUrl, match="https"):
        policy.check(url)


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("https://user:secret@hooks.example.com/in", "user name or password"),
        ("https://user@hooks.example.com/in", "user name or password"),
        ("https://hooks.example.com/in#fragment", "fragment"),
        ("https://hooks.example.com:99999/in", "malformed"),
        ("https://hooks.example.com:port/in", "malformed"),
        ("https://[::1/in", "malformed"),
        ("https:///in", "needs a host"),
        ("https://hooks.example.com/" + "a" * MAX_URL_LENGTH, f"at most {MAX_URL_LENGTH} characters"),
    ],
)
def test_a_url_hiding_something_or_malformed_or_too_long_is_refused_before_any_lookup(url: str, rule: str) -> None:
    # Given a public host, and a resolver noting every lookup
    dns = FakeDns({"hooks.example.com": [PUBLIC_V4]})
    policy = CallbackUrlPolicy(resolve=dns)

    # When the URL is checked, Then it is refused naming the rule, and DNS was never asked
    with pytest.raises(RefusedCallbackUrl, match=rule):
        policy.check(url)
    assert dns.asked == []


def test_a_url_of_exactly_the_longest_length_is_accepted() -> None:
    # Given a URL of exactly the maximum length to a public host
    prefix = "https://hooks.example.com/"
    url = prefix + "a" * (MAX_URL_LENGTH - len(prefix))

    # When it is checked, Then it passes
    assert _policy({"hooks.example.com": [PUBLIC_V4]}).check(url).url == url


def test_a_host_that_does_not_resolve_is_refused() -> None:
    # Given a resolver that knows no such host
    policy = _policy({})

    # When a URL naming it is checked, Then it is refused as not resolving
    with pytest.raises(RefusedCallbackUrl, match="does not resolve"):
        policy.check("https://nowhere.example/in")


def test_a_host_with_no_addresses_is_refused() -> None:
    # Given a resolver that answers with no addresses at all
    policy = _policy({"empty.example": []})

    # When a URL naming it is checked, Then it is refused as not resolving
    with pytest.raises(RefusedCallbackUrl, match="does not resolve"):
        policy.check("https://empty.example/in")


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",  # private
        "172.16.3.4",  # private
        "192.168.1.1",  # private
        "127.0.0.1",  # loopback
        "::1",  # loopback
        "169.254.169.254",  # link-local: the instance metadata service
        "fd00:ec2::254",  # the metadata service over IPv6 (unique local)
        "fe80::1%eth0",  # link-local with a zone
        "100.64.0.1",  # shared address space (CGNAT)
        "224.0.0.1",  # multicast
        "239.255.255.250",  # multicast (SSDP)
        "ff0e::1",  # global-scope multicast
        "0.0.0.0",  # unspecified
        "::",  # unspecified
        "::ffff:10.0.0.5",  # IPv4-mapped private
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:169.254.169.254",  # IPv4-mapped metadata service
        "::ffff:224.0.0.1",  # IPv4-mapped multicast (is_global, yet no host)
        "240.0.0.1",  # reserved
        "255.255.255.255",  # broadcast
    ],
)
def test_a_host_resolving_to_an_address_that_is_not_public_is_refused(address: str) -> None:
    # Given an innocent-looking name pointed at an address that is not globally routable
    policy = _policy({"innocent.example": [address]})

    # When its URL is checked
    with pytest.raises(RefusedCallbackUrl, match="not a public address") as refusal:
        policy.check("https://innocent.example/in")

    # Then it is refused, naming the host (the client's own input) and the address it found
    assert "innocent.example" in str(refusal.value)


def test_an_ipv4_mapped_public_address_is_accepted_as_the_public_address_it_maps() -> None:
    # Given a host answering with the IPv6 form of a public IPv4 address
    policy = _policy({"mapped.example": [f"::ffff:{PUBLIC_V4}"]})

    # When its URL is checked, Then it passes
    assert policy.check("https://mapped.example/in").address == ipaddress.ip_address(f"::ffff:{PUBLIC_V4}")


@pytest.mark.parametrize("private_first", [True, False])
def test_a_host_resolving_to_one_public_and_one_private_address_is_refused(private_first: bool) -> None:
    # Given a name with two answers, one of them private (in either order)
    answers = ["10.0.0.5", PUBLIC_V4] if private_first else [PUBLIC_V4, "10.0.0.5"]
    policy = _policy({"split.example": answers})

    # When its URL is checked, Then it is refused: any answer could be the one connected to
    with pytest.raises(RefusedCallbackUrl, match=re.escape("10.0.0.5")):
        policy.check("https://split.example/in")


@pytest.mark.parametrize(
    "url", ["https://[::1]/in", "https://127.0.0.1/in", "https://169.254.169.254/latest/meta-data/"]
)
def test_an_address_literal_that_is_not_public_is_refused(url: str) -> None:
    # Given a resolver that, like getaddrinfo, answers an address literal with itself
    policy = CallbackUrlPolicy(resolve=lambda host, _port: [host])

    # When a URL naming a private address directly is checked, Then it is refused
    with pytest.raises(RefusedCallbackUrl, match="not a public address"):
        policy.check(url)


def test_an_allowed_origin_may_use_http_and_a_loopback_address() -> None:
    # Given a developer's receiver on localhost:8080, allowed by origin
    policy = _policy({"localhost": ["127.0.0.1"]}, allowed=["http://localhost:8080"])

    # When a URL on that origin is checked
    checked = policy.check("http://localhost:8080/webhooks")

    # Then it passes despite http and loopback, and the call goes to the loopback address
    assert checked.address == ipaddress.ip_address("127.0.0.1")
    assert checked.origin == "http://localhost:8080"


def test_an_allowed_origin_spelled_in_capitals_or_with_a_slash_matches_the_same_origin() -> None:
    # Given an allowed origin written loosely
    policy = _policy({"localhost": ["127.0.0.1"]}, allowed=[" HTTP://LocalHost:8080/ "])

    # When a URL on that origin is checked, Then it passes
    assert policy.check("http://localhost:8080/in").port == 8080


def test_an_allowed_origin_without_a_port_means_its_schemes_default_port() -> None:
    # Given an allowed origin with no port
    policy = _policy({"receiver.internal": ["10.1.2.3"]}, allowed=["https://receiver.internal"])

    # When URLs on port 443 (implied and explicit) and on another port are checked
    implied = policy.check("https://receiver.internal/in")
    explicit = policy.check("https://receiver.internal:443/in")

    # Then the default port is the allowed one, and only it
    assert implied.port == explicit.port == 443
    with pytest.raises(RefusedCallbackUrl, match="not a public address"):
        policy.check("https://receiver.internal:8443/in")


def test_an_allowed_origin_does_not_exempt_another_port_on_the_same_host() -> None:
    # Given localhost:8080 allowed
    policy = _policy({"localhost": ["127.0.0.1"]}, allowed=["http://localhost:8080"])

    # When the same host on another port is asked for, over http and over https
    # Then both are refused: one for the scheme, one for the address
    with pytest.raises(RefusedCallbackUrl, match="https"):
        policy.check("http://localhost:9000/in")
    with pytest.raises(RefusedCallbackUrl, match="not a public address"):
        policy.check("https://localhost:9000/in")


def test_an_allowed_origin_does_not_exempt_another_host_or_another_scheme() -> None:
    # Given http://localhost:8080 allowed, and other names for the same loopback address
    policy = _policy({"localhost": ["127.0.0.1"], "127.0.0.1": ["127.0.0.1"]}, allowed=["http://localhost:8080"])

    # When another host on the same port, or the same host over https, is checked
    # Then each is refused: the origin is the exemption, not the port nor the address
    with pytest.raises(RefusedCallbackUrl, match="https"):
        policy.check("http://127.0.0.1:8080/in")
    with pytest.raises(RefusedCallbackUrl, match="not a public address"):
        policy.check("https://localhost:8080/in")


def test_an_allowed_origin_still_needs_its_host_to_resolve() -> None:
    # Given an allowed origin whose host the resolver does not know
    policy = _policy({}, allowed=["http://gone.internal:8080"])

    # When a URL on it is checked, Then it is refused as not resolving
    with pytest.raises(RefusedCallbackUrl, match="does not resolve"):
        policy.check("http://gone.internal:8080/in")


def test_an_allowed_origin_does_not_excuse_user_info_or_a_fragment() -> None:
    # Given an allowed origin
    policy = _policy({"localhost": ["127.0.0.1"]}, allowed=["http://localhost:8080"])

    # When URLs on it carry credentials or a fragment, Then they are refused all the same
    with pytest.raises(RefusedCallbackUrl, match="user name"):
        policy.check("http://me:pw@localhost:8080/in")
    with pytest.raises(RefusedCallbackUrl, match="fragment"):
        policy.check("http://localhost:8080/in#x")


def test_the_allowed_origins_setting_is_a_comma_separated_list_and_empty_means_none() -> None:
    # Given settings values as they come from the environment
    # When they are parsed, Then each origin is kept as written, blanks dropped
    assert allowed_origins_setting("") == ()
    assert allowed_origins_setting(" , ") == ()
    assert allowed_origins_setting("http://localhost:8080, https://receiver.internal:8443,") == (
        "http://localhost:8080",
        "https://receiver.internal:8443",
    )


@pytest.mark.parametrize(
    "origin",
    [
        "localhost:8080",  # no scheme
        "ftp://localhost:21",  # not http(s)
        "http://",  # no host
        "http://localhost:8080/hooks",  # a path, not an origin
        "http://localhost:99999",  # port out of range
    ],
)
def test_a_bad_allowed_origin_is_refused_by_the_setting_and_by_the_policy(origin: str) -> None:
    # Given an allowed origin that is not scheme://host[:port]
    # When the setting is parsed, or a policy is built with it, Then both refuse it
    with pytest.raises(ValueError):
        allowed_origins_setting(f"http://localhost:8080,{origin}")
    with pytest.raises(ValueError):
        CallbackUrlPolicy([origin], resolve=FakeDns({}))


@pytest.mark.parametrize("url", ["https://hooks.exa\tmple.com/in", "https://hooks.example.com/in\r\nX-Evil: 1"])
def test_a_url_with_control_characters_is_refused_as_malformed(url: str) -> None:
    # Given a public host
    policy = _policy({"hooks.example.com": [PUBLIC_V4]})

    # When a URL with a tab or a line break in it is checked, Then it is refused
    with pytest.raises(RefusedCallbackUrl):
        policy.check(url)


@pytest.mark.parametrize(("answer", "public"), [("64:ff9b::a00:1", False), ("64:ff9b::5db8:d70e", True)])
def test_a_nat64_address_is_judged_by_the_ipv4_address_it_reaches(answer: str, public: bool) -> None:
    # Given a host that resolves to a NAT64 address (64:ff9b::/96 embeds an IPv4 address)
    policy = _policy({"hooks.example.com": [answer]})

    # When its URL is checked, Then it passes only if the embedded IPv4 address is public
    if public:
        assert str(policy.check("https://hooks.example.com/in").address) == answer
    else:
        with pytest.raises(RefusedCallbackUrl, match="not a public address"):
            policy.check("https://hooks.example.com/in")


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param("2002:a00:1::", id="6to4-of-10.0.0.1"),
        pytest.param("::a00:1", id="ipv4-compatible-10.0.0.1"),
        pytest.param("64:ff9b:1::a00:1", id="local-use-nat64"),
        pytest.param("fec0::1", id="site-local"),
    ],
)
def test_ipv6_forms_that_reach_a_private_network_are_refused(answer: str) -> None:
    # Given a host that resolves to an IPv6 address Python may call global, but which reaches inside
    policy = _policy({"hooks.example.com": [answer]})

    # When its URL is checked, Then it is refused
    with pytest.raises(RefusedCallbackUrl, match="not a public address"):
        policy.check("https://hooks.example.com/in")


def test_a_6to4_address_of_a_public_ipv4_address_is_accepted() -> None:
    # Given a host whose 6to4 address embeds 8.8.8.8 / When checked / Then it passes
    assert _policy({"hooks.example.com": ["2002:808:808::1"]}).check("https://hooks.example.com/in")


def test_a_lookup_that_fails_for_now_is_told_apart_from_a_name_that_does_not_exist(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a resolver whose DNS server is unreachable (EAI_AGAIN), then one that says "no such name"
    def failing(code: int) -> Callable[..., object]:
        def getaddrinfo(*_args: object, **_kwargs: object) -> object:
            raise socket.gaierror(code, "lookup failed")

        return getaddrinfo

    # When each is asked, Then the first is a refusal that may pass, the second a plain refusal
    monkeypatch.setattr(socket, "getaddrinfo", failing(socket.EAI_AGAIN))
    with pytest.raises(UnresolvedForNow):
        system_resolver("hooks.example.com", 443)
    monkeypatch.setattr(socket, "getaddrinfo", failing(socket.EAI_NONAME))
    with pytest.raises(RefusedCallbackUrl) as refused:
        system_resolver("hooks.example.com", 443)
    assert not isinstance(refused.value, UnresolvedForNow)
