"""The guard on showroom probes: an httpx transport that connects only to a cluster's own
application hosts, whatever a lab's Route says.

At connect time, for every connection (first request and each redirect): the host must be a
name under one of the cluster's application domains (`labs.probe_scope.ProbeScope`), never an
IP literal; it is resolved once, every address it resolves to is checked (never loopback,
link-local, multicast, unspecified, reserved or a cloud metadata address; a private address
only inside the cluster's listed networks), and the socket connects to that checked address.
TLS still verifies the route's host name (SNI and certificate), and the Host header is the
route's. So a name that re-resolves to an internal address after the check (DNS rebinding)
gains nothing: nothing connects to a second answer. Environment proxies are ignored.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

from labs.probe_scope import ProbeScope

Resolver = Callable[[str, int], list[str]]

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack
        "169.254.170.2",  # AWS ECS task metadata
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
        "fd00:ec2::254",  # AWS IPv6
    )
)


class ProbeRefused(httpcore.ConnectError):
    """The probe would leave the cluster's application hosts; nothing was sent."""


def system_resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def address_refusal(address: str, scope: ProbeScope) -> str | None:
    """Why a probe may not connect to `address`, or None when it may."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.is_loopback or ip.is_link_local or ip.is_unspecified:
        return "a loopback, link-local or unspecified address"
    if ip.is_multicast or ip.is_reserved:
        return "a multicast or reserved address"
    if ip.is_global or any(ip in network for network in scope.private_networks):
        return None
    return "a private address outside the cluster's probe networks"


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend, connecting only to checked addresses of allowed hosts."""

    def __init__(self, scope: ProbeScope, resolve: Resolver = system_resolve) -> None:
        self.scope = scope
        self.resolve = resolve
        self.inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        if not self.scope.host_allowed(host):
            raise ProbeRefused(f"probe refused: {host} is not under the cluster's domains")
        try:
            addresses = self.resolve(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"{host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        for address in addresses:
            if (why := address_refusal(address, self.scope)) is not None:
                raise ProbeRefused(f"probe refused: {host} resolves to {address}, {why}")
        return self.inner.connect_tcp(addresses[0], port, timeout, local_address, socket_options)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise ProbeRefused("probe refused: unix sockets")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport whose every connection goes through `GuardedBackend`."""

    def __init__(
        self, scope: ProbeScope, *, verify: bool = True, resolve: Resolver = system_resolve
    ) -> None:
        super().__init__(verify=verify, trust_env=False)
        self._pool._network_backend = GuardedBackend(scope, resolve)
