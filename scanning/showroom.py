"""Showroom probes during a scan: each lab's showroom route, probed over real HTTP, concurrently.

A slow or dead showroom costs at most `TIMEOUT` per request and runs alongside the others
(`WORKERS` at a time), so it barely slows the scan. Production probes the route's own URL
(`https://<host>` for a TLS route) with TLS verified per `STARGATE_SSL_VERIFY`.

Simulated clusters only: a `Cluster` labelled `simulated: "true"` (set by `simulate_fleet`)
probes through `ShowroomTransport`, which sends requests for the simulator's route hosts
(`showroom-<ns>.apps.<cluster>.example.com`, resolvable nowhere) to the running fleet's loopback
pages, found through `STARGATE_DATA_DIR/simulator/control.json`. Any other host goes out
unchanged, and no cluster without that label ever uses the transport.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor

import httpx
from django.conf import settings

from labs.models import Cluster
from rubrics_app.showroom_probe import showroom_probe_run, showroom_url
from stargate.lib.evidence import KubeObject, ShowroomProbe

log = logging.getLogger(__name__)

TIMEOUT = 3.0  # seconds, per connect and per read
WORKERS = 16


def is_simulated(cluster: Cluster) -> bool:
    return str((cluster.labels or {}).get("simulated", "")).lower() == "true"


def probe_client(cluster: Cluster) -> httpx.Client:
    """The HTTP client for this cluster's showroom probes (see the module docstring)."""
    options = {"timeout": httpx.Timeout(TIMEOUT), "follow_redirects": True}
    if is_simulated(cluster):
        from scanning.simulator.registry import running_showroom_transport

        transport = running_showroom_transport()
        if transport is not None:
            return httpx.Client(transport=transport, **options)  # type: ignore[arg-type]
    return httpx.Client(verify=bool(settings.SSL_VERIFY), **options)  # type: ignore[arg-type]


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
