"""Showroom probes during a scan: each lab's showroom route, probed over real HTTP, concurrently.

A slow or dead showroom costs at most `TIMEOUT` per request and runs alongside the others
(`WORKERS` at a time), so it barely slows the scan. Production probes the route's own URL
(`https://<host>` for a TLS route) with TLS verified per `STARGATE_SSL_VERIFY`, through
`scanning.probe_guard.GuardedTransport`: only hosts under the cluster's application domains
(`Cluster.application_domains` and the learned `Cluster.ingress_domain`), only to checked
addresses, redirects only within the same host (`rubrics_app.showroom_probe`).

Simulated clusters only: a `Cluster` with `simulated` set (by `simulate_fleet`) probes through
the transport that `settings.SHOWROOM_TRANSPORT_FACTORY` builds around the guard (a seam, see
`stargate.seams`; by default the simulator's, which sends its route hosts
`showroom-<ns>.apps.<cluster>.example.com`, resolvable nowhere, to the running fleet's loopback
pages and any other host through the guard). No cluster without that field ever uses it, and
without the setting (production) simulated clusters are probed through the guard alone.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor

import httpx
from django.conf import settings
from kubernetes.client import ApiClient

from labs.models import Cluster
from labs.probe_scope import domains_parse
from rubrics_app.showroom_probe import showroom_probe_run, showroom_url
from scanning import kinds
from scanning.client import ClusterAccessError, get_raw
from scanning.probe_guard import GuardedTransport, Resolver, system_resolve
from stargate.lib.evidence import KubeObject, ShowroomProbe
from stargate.seams import showroom_transport_factory

log = logging.getLogger(__name__)

TIMEOUT = 3.0  # seconds, per connect and per read
WORKERS = 16


def probe_client(cluster: Cluster, *, resolve: Resolver = system_resolve) -> httpx.Client:
    """The HTTP client for this cluster's showroom probes (see the module docstring)."""
    transport: httpx.BaseTransport = GuardedTransport(
        cluster.probe_scope(), verify=bool(settings.SSL_VERIFY), resolve=resolve
    )
    if cluster.simulated and (simulated := showroom_transport_factory()) is not None:
        transport = simulated(transport)
    return httpx.Client(transport=transport, timeout=httpx.Timeout(TIMEOUT), follow_redirects=False)


def ingress_domain_learn(*, cluster: Cluster, api: ApiClient) -> None:
    """Keep `cluster.ingress_domain` to the cluster's `Ingress cluster` spec.domain, when the
    cluster lets StarGate read it (OpenShift only; others keep their configured domains)."""
    try:
        ingress = get_raw(api, kinds.INGRESS_CONFIG.path())
    except ClusterAccessError as exc:
        if exc.kind in {"not_found", "unauthorized"}:
            return
        raise
    spec = ingress.get("spec") if isinstance(ingress, dict) else None
    domain = str((spec or {}).get("domain") or "") if isinstance(spec, dict) else ""
    if domain and domain != cluster.ingress_domain:
        try:
            domains_parse(domain)
        except ValueError:
            log.warning("cluster %s: ingress domain %r ignored", cluster.name, domain)
            return
        Cluster.objects.filter(pk=cluster.pk).update(ingress_domain=domain)
        cluster.ingress_domain = domain


def showroom_probes(
    *,
    cluster: Cluster,
    routes: Mapping[str, list[KubeObject]],
    failures: Mapping[str, int],
) -> dict[str, ShowroomProbe]:
    """Probe the showroom of each namespace in `routes` (namespace → its routes) that has one;
    `failures` holds each namespace's consecutive failures from its previous probe."""
    urls = {ns: url for ns, objs in routes.items() if (url := showroom_url(objs)) is not None}
    if not urls:
        return {}
    with (
        probe_client(cluster) as client,
        ThreadPoolExecutor(min(WORKERS, len(urls))) as pool,
    ):
        futures = {
            ns: pool.submit(
                showroom_probe_run,
                url,
                client=client,
                previous=ShowroomProbe(consecutive_failures=failures.get(ns) or 0),
            )
            for ns, url in urls.items()
        }
        return {ns: probe for ns, f in futures.items() if (probe := _result(f)) is not None}


def _result(future: Future[ShowroomProbe]) -> ShowroomProbe | None:
    """The probe, or None when it broke in an unexpected way (a bad URL): no evidence, rather
    than a scan stopped by one lab's route."""
    try:
        return future.result()
    except Exception:
        log.exception("showroom probe failed")
        return None
