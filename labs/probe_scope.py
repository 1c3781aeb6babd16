"""Where a cluster's showroom probes may go: its application domains and the private networks
they resolve to, as configured on the `Cluster` row (parsed here, enforced by
`scanning.probe_guard`)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from stargate.lib.dns import DOMAIN_RE

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
DOMAIN = DOMAIN_RE


@dataclass(frozen=True)
class ProbeScope:
    domains: tuple[str, ...] = ()
    private_networks: tuple[IPNetwork, ...] = ()

    def host_allowed(self, host: str) -> bool:
        """Whether `host` is one of the domains or a name under one (never an IP literal)."""
        host = host.lower().rstrip(".")
        return any(host == d or host.endswith(f".{d}") for d in self.domains)


def _items(text: str) -> list[str]:
    return [item.strip() for item in re.split(r"[,\s]+", text or "") if item.strip()]


def _domains(text: str) -> list[str]:
    return [item.lower().rstrip(".") for item in _items(text)]


def _private_network(item: str) -> IPNetwork | None:
    try:
        network = ipaddress.ip_network(item, strict=False)
    except ValueError:
        return None
    if not network.is_private or network.is_loopback or network.is_link_local:
        return None
    return network


def domains_parse(text: str) -> tuple[str, ...]:
    """Comma-separated DNS domains, lowercased; `ValueError` names the first bad one."""
    for domain in _domains(text):
        if not DOMAIN.match(domain):
            raise ValueError(f"{domain!r} is not a DNS domain")
    return tuple(_domains(text))


def networks_parse(text: str) -> tuple[IPNetwork, ...]:
    """Comma-separated private networks (CIDR), never loopback or link-local; `ValueError`
    names the first bad one."""
    networks = [(item, _private_network(item)) for item in _items(text)]
    for item, network in networks:
        if network is None:
            raise ValueError(f"{item!r} is not a private network (CIDR)")
    return tuple(n for _, n in networks if n is not None)


def probe_scope_of(*, application_domains: str, ingress_domain: str, networks: str) -> ProbeScope:
    """The scope of a cluster's configuration; entries that do not parse are left out (the
    admin refuses them on save)."""
    domains = [
        d
        for text in (application_domains, ingress_domain)
        for d in _domains(text)
        if DOMAIN.match(d)
    ]
    private = [n for item in _items(networks) if (n := _private_network(item)) is not None]
    return ProbeScope(domains=tuple(dict.fromkeys(domains)), private_networks=tuple(private))
