"""Callback URLs a client gives us, checked so our calls cannot be turned against our own network.

A URL the service will call on someone's behalf (a webhook) is a server-side request forgery risk:
``http://169.254.169.254/`` reads the cloud's instance metadata, ``http://localhost:…`` a sidecar,
``https://innocent.example`` a name its owner points at ``10.0.0.5`` after the check. So a URL is
checked when it is accepted and again, with a fresh DNS lookup, just before each call, and the call
goes to the very address that was checked (:attr:`CheckedUrl.address`), never to a second lookup.

Refused: a scheme other than https; user info; a host that does not resolve; any resolved address
that is not globally routable (private, loopback, link-local with the metadata service, CGNAT,
multicast, reserved, unspecified, IPv4-mapped forms of those). Origins on ``allowed_origins``
(``scheme://host:port``, for a receiver on a developer's machine) skip the scheme and address rules.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import SplitResult, urlsplit

from pydantic import BeforeValidator

MAX_URL_LENGTH = 2048
_DEFAULT_PORTS = {"http": 80, "https": 443}

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port -> the addresses it resolves to (socket.getaddrinfo, by default).
Resolver = Callable[[str, int], Sequence[str]]


class RefusedCallbackUrl(ValueError):
    """The URL may not be called; the message says why, in words a client can act on."""


class UnresolvedForNow(RefusedCallbackUrl):
    """The host could not be looked up just now (a DNS failure that may pass): refused when a URL
    is accepted, but a delivery is tried again later."""


@dataclass(frozen=True)
class CheckedUrl:
    """A URL that passed the checks, and the address its host resolved to when it did."""

    url: str
    scheme: str
    host: str
    port: int
    address: IpAddress

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"


# The answers that say a name does not exist (or has no address), as opposed to a lookup that failed.
_NO_SUCH_NAME = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}


def system_resolver(host: str, port: int) -> list[str]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as error:
        raise RefusedCallbackUrl(f"the host {host!r} does not resolve") from error
    except socket.gaierror as error:
        if error.errno in _NO_SUCH_NAME:
            raise RefusedCallbackUrl(f"the host {host!r} does not resolve") from error
        raise UnresolvedForNow(f"the host {host!r} could not be looked up just now; try again") from error
    return [str(answer[4][0]) for answer in answers]


class CallbackUrlPolicy:
    """Which callback URLs may be called: see the module docstring."""

    def __init__(self, allowed_origins: Collection[str] = (), resolve: Resolver = system_resolver) -> None:
        self._allowed = frozenset(_normalised_origin(origin) for origin in allowed_origins)
        self._resolve = resolve

    def check(self, url: str) -> CheckedUrl:
        """The URL with the address to call, or :class:`RefusedCallbackUrl` saying why not."""
        parts = _split(url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
        allowed = f"{scheme}://{host}:{port}" in self._allowed
        if scheme != "https" and not (allowed and scheme == "http"):
            raise RefusedCallbackUrl("a callback URL must use https")
        addresses = [_address(answer) for answer in self._resolve(host, port)]
        if not addresses:
            raise RefusedCallbackUrl(f"the host {host!r} does not resolve")
        if not allowed:
            for address in addresses:
                if not _is_public(address):
                    raise RefusedCallbackUrl(f"the host {host!r} is not a public address ({address})")
        return CheckedUrl(url=url, scheme=scheme, host=host, port=port, address=addresses[0])


def _split(url: str) -> SplitResult:
    if len(url) > MAX_URL_LENGTH:
        raise RefusedCallbackUrl(f"a callback URL is at most {MAX_URL_LENGTH} characters")
    # urlsplit drops tabs and line breaks silently: the URL checked would not be the URL kept.
    if any(character.isspace() or not character.isprintable() for character in url):
        raise RefusedCallbackUrl("a callback URL may not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port out of range or not a number
    except ValueError as error:
        raise RefusedCallbackUrl("the callback URL is malformed") from error
    if not parts.hostname:
        raise RefusedCallbackUrl("a callback URL needs a host")
    if parts.username is not None or parts.password is not None:
        raise RefusedCallbackUrl("a callback URL may not carry a user name or password")
    if parts.fragment:
        raise RefusedCallbackUrl("a callback URL may not have a fragment")
    return parts


def _normalised_origin(origin: str) -> str:
    parts = urlsplit(origin.strip())
    scheme = parts.scheme.lower()
    port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"an allowed origin is scheme://host[:port], not {origin!r}")
    return f"{scheme}://{parts.hostname.lower()}:{port}"


def _address(answer: str) -> IpAddress:
    # An IPv6 answer may carry a zone ("fe80::1%eth0"): a scoped address is link-local anyway.
    return ipaddress.ip_address(answer.split("%", 1)[0])


# IPv6 forms that carry an IPv4 address, which is then what is reached: NAT64 (RFC 6052; where
# DNS64 is on, 64:ff9b::a00:1 reaches 10.0.0.1) and the deprecated IPv4-compatible ::a00:1.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Never a public host, whatever Python's is_global says: local-use NAT64 (RFC 8215) and the
# deprecated site-local range.
_NEVER_PUBLIC = (ipaddress.IPv6Network("64:ff9b:1::/48"), ipaddress.IPv6Network("fec0::/10"))


def _is_public(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv4Address):
        return address.is_global and not address.is_multicast
    if address.ipv4_mapped is not None:
        return _is_public(address.ipv4_mapped)
    if address.sixtofour is not None:  # 2002::/16, 6to4: reaches the IPv4 address it embeds
        return _is_public(address.sixtofour)
    if address in _NAT64 or address in _IPV4_COMPATIBLE:
        return _is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if any(address in network for network in _NEVER_PUBLIC):
        return False
    # is_global is False for private, loopback, link-local (169.254.169.254, fd00:ec2::254 too),
    # shared (100.64/10), reserved and unspecified ranges; multicast can be "global" but is no host.
    return address.is_global and not address.is_multicast


def allowed_origins_setting(value: str) -> tuple[str, ...]:
    """CALLBACK_URL_ALLOWED_ORIGINS: comma-separated origins, each validated (empty: none)."""
    origins = tuple(part.strip() for part in value.split(",") if part.strip())
    for origin in origins:
        _normalised_origin(origin)
    return origins


# A settings field of allowed origins: the environment's comma-separated text, validated.
AllowedOrigins = Annotated[
    tuple[str, ...], BeforeValidator(lambda value: allowed_origins_setting(value) if isinstance(value, str) else value)
]
