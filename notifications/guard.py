"""The SSRF guard of outgoing webhooks (platform-contracts 21.5), at registration and at every
delivery: http(s) only, no credentials in the URL, no cluster-internal names, and every address
the name resolves to global (not loopback, private, link-local, metadata, multicast, reserved)
unless inside `NOTIFICATIONS_ALLOWED_NETWORKS`. The caller connects to the address checked."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from notifications import conf

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
REFUSED_NAMES = (".svc", ".cluster.local", "kubernetes.default", "metadata.google", "localhost")
# Cloud metadata endpoints: refused even inside an allowed network.
METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)


class UrlRefused(Exception):
    pass


@dataclass(frozen=True)
class Checked:
    scheme: str
    host: str  # the name, for the Host header, TLS SNI and certificate check
    port: int
    address: str  # the checked address the connection goes to


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return [literal]
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise UrlRefused(f"{host} does not resolve ({error.strerror or error})") from error
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]


def address_refusal(address: IPAddress, allowed: Sequence[conf.Network]) -> str:
    """Why `address` may not be reached, or ""."""
    if address in METADATA:
        return "a cloud metadata address"
    if any(address in network for network in allowed if network.version == address.version):
        return ""
    if address.is_multicast or not address.is_global:
        return "not a public address"
    return ""


def url_check(url: str, allowed: Sequence[conf.Network] | None = None) -> Checked:
    """Check `url` now (resolving its name); raises `UrlRefused` with the reason."""
    allowed = conf.allowed_networks() if allowed is None else allowed
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UrlRefused("not a URL") from error
    if parts.scheme not in ("http", "https"):
        raise UrlRefused("only http and https URLs")
    if parts.username is not None or parts.password is not None:
        raise UrlRefused("credentials in the URL")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UrlRefused("no host")
    if any(name in host for name in REFUSED_NAMES):
        raise UrlRefused(f"the host name {host} is cluster-internal or local")
    addresses = _resolve(host, port)
    for address in addresses:
        reason = address_refusal(address, allowed)
        if reason:
            raise UrlRefused(f"{host} resolves to {address}: {reason}")
    if not addresses:
        raise UrlRefused(f"{host} does not resolve")
    return Checked(parts.scheme, host, port, str(addresses[0]))
