"""The real HTTP probe of a lab's showroom route, producing `NamespaceEvidence["showroom"]`.

The scanner (or a task) calls `showroom_probe_run` and stores the result in the evidence; the
engine's showroom semantics then apply the consecutive-failure hysteresis. Redirects are
followed only within the route's own host (and port; http to https allowed): a redirect to any
other host is a failed probe, and nothing is fetched from it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import httpx

from stargate.lib.evidence import KubeObject, ShowroomProbe

SHOWROOM_LABELS = ("app.kubernetes.io/name", "app")
DEFAULT_MARKER = "<html"
MAX_REDIRECTS = 5


class RedirectRefused(httpx.HTTPError):
    """The showroom redirected to another host."""


def showroom_url(routes: Iterable[KubeObject]) -> str | None:
    """The URL of the route named (or labelled) showroom, if the lab has one."""
    for route in routes:
        metadata = route.get("metadata", {})
        labels = metadata.get("labels") or {}
        named = metadata.get("name") == "showroom"
        if named or any(labels.get(key) == "showroom" for key in SHOWROOM_LABELS):
            host = route.get("spec", {}).get("host")
            if host:
                scheme = "https" if "tls" in route.get("spec", {}) else "http"
                return f"{scheme}://{host}"
    return None


def showroom_probe_run(
    url: str,
    *,
    client: httpx.Client,
    previous: ShowroomProbe | None = None,
    marker: str = DEFAULT_MARKER,
) -> ShowroomProbe:
    """GET /readyz and the guide's page; count consecutive failures from the previous probe."""
    started = time.perf_counter()
    try:
        readyz = _get_same_host(client, f"{url.rstrip('/')}/readyz")
        page = _get_same_host(client, url)
    except httpx.HTTPError as exc:
        return _probe(url, None, False, None, previous, f"{type(exc).__name__}: {exc}")
    elapsed_ms = (time.perf_counter() - started) * 1000
    content_ok = page.status_code == 200 and marker in page.text
    return _probe(url, readyz.status_code, content_ok, elapsed_ms, previous, "")


def _get_same_host(client: httpx.Client, url: str) -> httpx.Response:
    """GET `url`, following at most `MAX_REDIRECTS` redirects, each within the same host."""
    response = client.get(url, follow_redirects=False)
    origin = httpx.URL(url)
    for _ in range(MAX_REDIRECTS):
        target = response.next_request
        if target is None:
            return response
        if (target.url.host, target.url.port) != (origin.host, origin.port):
            response.close()
            raise RedirectRefused(f"redirect to {target.url.host} refused (other host)")
        response = client.send(target, follow_redirects=False)
    return response


def _probe(
    url: str,
    status: int | None,
    content_ok: bool,
    response_ms: float | None,
    previous: ShowroomProbe | None,
    error: str,
) -> ShowroomProbe:
    failed = status != 200 or not content_ok
    failures = (previous or {}).get("consecutive_failures", 0) + 1 if failed else 0
    probe = ShowroomProbe(
        url=url,
        readyz_status=status,
        content_ok=content_ok,
        response_ms=response_ms,
        consecutive_failures=failures,
    )
    if error:
        probe["error"] = error
    return probe
