"""Watch mode: pods and VMIs watched cluster-wide, so a crashloop reaches the dashboard in seconds.

One thread per watched kind streams `watch=true` events from the last resourceVersion seen,
following bookmarks. Every `debounce` seconds the lab namespaces whose objects changed get full
evidence and a verdict (`services.namespaces_rescan`). A stream that breaks reconnects with
backoff (1 s doubling to 30 s) from where it was; a 410 Gone (the version is too old) re-lists
and runs tier 2, which compares every pod with the last scan, so nothing missed is lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
import urllib3
from django.conf import settings
from django.db import close_old_connections
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException
from kubernetes.watch.watch import iter_resp_lines

from labs.models import Cluster
from scanning import services
from scanning.client import ClusterAccessError, api_client_for, get_raw
from scanning.kinds import WATCHED, Resource
from scanning.labmap import lab_name_of
from scanning.models import ScanRun
from scanning.tiers import TIER2_MAX_NAMESPACES

log = logging.getLogger(__name__)

BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0
MAX_NAMESPACES_PER_FLUSH = TIER2_MAX_NAMESPACES


class Gone(Exception):
    """410: the resourceVersion is older than the server keeps; re-list."""


def list_version(api: ApiClient, resource: Resource) -> str:
    """The current resourceVersion of a cluster-wide list (one item read)."""
    page = get_raw(api, resource.path(), [("limit", 1)])
    return str((page.get("metadata") or {}).get("resourceVersion") or "")


def watch_once(
    api: ApiClient,
    resource: Resource,
    version: str,
    on_namespace: Callable[[str], None],
    *,
    seconds: int = 30,
    stop: threading.Event | None = None,
) -> str:
    """Stream one watch from `version` until the server ends it or `stop` is set (checked at
    each event and bookmark); returns the last version seen. Raises Gone on 410,
    ClusterAccessError / urllib3 errors when the stream breaks."""
    query = [
        ("watch", "true"),
        ("allowWatchBookmarks", "true"),
        ("resourceVersion", version),
        ("timeoutSeconds", seconds),
    ]
    try:
        response = api.call_api(
            resource.path(),
            "GET",
            query_params=query,
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
            _preload_content=False,
            _return_http_data_only=True,
            _request_timeout=(float(settings.K8S_CONNECT_TIMEOUT), seconds + 30.0),
        )
    except ApiException as exc:
        if exc.status == 410:
            raise Gone(str(exc.reason)) from exc
        kind = "not_found" if exc.status == 404 else "server_error"
        raise ClusterAccessError(kind, f"watch {resource.key}: {exc.status}") from exc
    try:
        for line in iter_resp_lines(response):
            version = _event(line, version, on_namespace)
            if stop is not None and stop.is_set():
                break
    finally:
        response.release_conn()
    return version


def _event(line: str, version: str, on_namespace: Callable[[str], None]) -> str:
    event = orjson.loads(line)
    obj = event.get("object") or {}
    if event.get("type") == "ERROR":
        if obj.get("code") == 410:
            raise Gone(str(obj.get("message", "")))
        raise ClusterAccessError("server_error", str(obj.get("message", "")))
    metadata = obj.get("metadata") or {}
    namespace = str(metadata.get("namespace") or "")
    if event.get("type") != "BOOKMARK" and lab_name_of(namespace) is not None:
        on_namespace(namespace)
    return str(metadata.get("resourceVersion") or version)


@dataclass
class ClusterWatcher:
    """Watches one cluster until `stop` is set."""

    cluster: Cluster
    stop: threading.Event = field(default_factory=threading.Event)
    debounce: float = 1.0
    seconds: int = 30  # how long each watch request lasts before it is renewed
    dirty: set[str] = field(default_factory=set)
    resync: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self) -> None:
        streams = [
            threading.Thread(target=self.stream, args=(r,), daemon=True, name=f"watch-{r.key}")
            for r in WATCHED
        ]
        for thread in streams:
            thread.start()
        while not self.stop.wait(self.debounce):
            close_old_connections()  # a long-lived process: drop broken or old connections
            self.flush()
        for thread in streams:
            thread.join(timeout=self.seconds + 35)

    def flush(self) -> ScanRun | None:
        """Evaluate what changed since the last flush (tier 2 after a re-list)."""
        with self.lock:
            # At most tier 2's share per flush: a busy cluster's churn waits for the next one.
            dirty = set(sorted(self.dirty)[:MAX_NAMESPACES_PER_FLUSH])
            resync = self.resync
            self.dirty, self.resync = self.dirty - dirty, False
        if resync:
            return services.scan_run_execute(cluster=self.cluster, tier=2, force=True)
        if dirty:
            return services.namespaces_rescan(cluster=self.cluster, namespaces=dirty)
        return None

    def mark(self, namespace: str) -> None:
        with self.lock:
            self.dirty.add(namespace)

    def stream(self, resource: Resource) -> None:
        """Watch one kind, re-listing on 410 and reconnecting with backoff on errors."""
        version, delay = "", BACKOFF_FIRST
        while not self.stop.is_set():
            try:
                with api_client_for(self.cluster) as api:
                    if not version:
                        version = list_version(api, resource)
                    version = watch_once(
                        api, resource, version, self.mark, seconds=self.seconds, stop=self.stop
                    )
                delay = BACKOFF_FIRST
            except Gone:
                log.info("%s %s: 410 Gone, re-listing", self.cluster.name, resource.key)
                version = ""
                with self.lock:
                    self.resync = True
            except (ClusterAccessError, urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
                if isinstance(exc, ClusterAccessError) and exc.kind == "not_found":
                    return  # the kind is not served (no KubeVirt)
                log.warning("%s %s: watch broke (%s)", self.cluster.name, resource.key, exc)
                self.stop.wait(delay)
                delay = min(delay * 2, BACKOFF_MAX)
