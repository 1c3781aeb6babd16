"""Cluster scheduler `/evaluate` (platform-contracts 13), Prometheus/Thanos queries and
Alertmanager alerts (14), per cluster.

Query hits and alerts are observations (`ClusterAlert`, open/close by key), never rubric
evaluations; firing critical alerts feed the cluster-health facts (`collectors.selectors.
critical_alerts`). A cluster that fails is reported in the summary while the others are kept;
the cycle fails only when every cluster failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import httpx
from django.db import transaction

from collectors.conf import SourceSettings
from collectors.http import SourceError, client_for, fetch_json, obj, seq
from collectors.models import ClusterAlert, ClusterUtilisation, SourceName
from collectors.runner import Collected, mask
from labs.models import Cluster

# name -> (PromQL, failure class, severity): the spec's default query set (14)
QUERIES: dict[str, tuple[str, str, str]] = {
    "pod_restarts": (
        "sort_desc(kube_pod_container_status_restarts_total>10)",
        "pod_high_restart_rate",
        "warning",
    ),
    "oom_kills": (
        "increase(kube_pod_container_status_last_terminated_reason{reason='OOMKilled'}[7d])>0",
        "container_oom_killed",
        "high",
    ),
    "cpu_saturation": (
        "instance:node_cpu_utilisation:rate5m>0.8",
        "node_cpu_saturated",
        "warning",
    ),
    "pvc_filling": (
        "(kubelet_volume_stats_used_bytes/kubelet_volume_stats_capacity_bytes)>0.85",
        "pvc_nearly_full",
        "warning",
    ),
    "node_memory": (
        "(1-node_memory_MemAvailable_bytes/node_memory_MemTotal_bytes)>0.9",
        "node_memory_exhausted",
        "critical",
    ),
    "api_latency": (
        "histogram_quantile(0.99,rate(apiserver_request_duration_seconds_bucket"
        "{verb!='WATCH'}[5m]))>1",
        "api_server_slow",
        "warning",
    ),
    "etcd_latency": (
        "histogram_quantile(0.99,rate(etcd_disk_backend_commit_duration_seconds_bucket[5m]))>0.1",
        "etcd_slow_commits",
        "warning",
    ),
    "pending_pods": ("kube_pod_status_phase{phase='Pending'}>0", "pod_stuck_pending", "medium"),
}
CPU_ACCEPTABLE = 90.0


def _bearer(token: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def _per_cluster(
    items: Iterable[tuple[str, Any]], read: Callable[[Cluster, Any], int]
) -> tuple[int, dict[str, str]]:
    """Run `read` per known cluster; raise only when every cluster failed."""
    clusters = {c.name: c for c in Cluster.objects.filter(enabled=True)}
    count, errors, first = 0, {}, None
    tried = 0
    for name, config in items:
        cluster = clusters.get(name)
        if cluster is None:
            errors[name] = "not a registered cluster"
            continue
        tried += 1
        try:
            count += read(cluster, config)
        except SourceError as exc:
            errors[name] = mask(str(exc))
            first = first or exc
    if (
        first is not None
        and len([e for e in errors.values() if e != "not a registered cluster"]) == tried
    ):
        raise first
    return count, errors


def collect_scheduler(source: SourceSettings, now: datetime) -> Collected:
    base = str(source.option("url")).rstrip("/")
    names = [c.name for c in Cluster.objects.filter(enabled=True)]
    results: dict[str, dict[str, Any]] = {}
    with client_for(source, _bearer(source.option("token"))) as client:

        def read(cluster: Cluster, _: Any) -> int:
            try:
                body = fetch_json(client, f"{base}/evaluate", params={"cluster": cluster.name})
            except SourceError as exc:
                if exc.kind == "http_404":  # the scheduler does not know this cluster
                    return 0
                raise
            metrics = body.get("metrics") if isinstance(body, dict) else None
            if not isinstance(metrics, dict):
                raise SourceError("parse", "ClusterHealth without metrics")
            row = ClusterUtilisation.objects.create(
                cluster=cluster,
                source=SourceName.CLUSTER_SCHEDULER,
                captured_at=now,
                health_score=_num(metrics.get("health_score")),
                cpu_pct=_num(metrics.get("cpu_usage_pct")),
                memory_pct=_num(metrics.get("memory_usage_pct")),
                critical_alerts=_int(metrics.get("critical_alerts")),
                unhealthy_nodes=_int(metrics.get("unhealthy_nodes")),
                total_nodes=_int(metrics.get("total_nodes")),
                vm_count=_int(metrics.get("vm_count")),
            )
            results[cluster.name] = scheduler_facts(row)
            return 1

        count, errors = _per_cluster(((n, None) for n in names), read)
    return Collected(items=count, summary={"clusters": results, "errors": errors})


def scheduler_facts(row: ClusterUtilisation) -> dict[str, Any]:
    """The spec's facts (13); a missing CPU or memory value counts as 100."""
    cpu = row.cpu_pct if row.cpu_pct is not None else 100.0
    memory = row.memory_pct if row.memory_pct is not None else 100.0
    return {
        "cluster_reachable": True,
        "health_score": row.health_score,
        "cpu_usage_acceptable": cpu < CPU_ACCEPTABLE,
        "memory_usage_acceptable": memory < CPU_ACCEPTABLE,
        "no_critical_alerts": (row.critical_alerts or 0) == 0,
        "nodes_healthy": (row.unhealthy_nodes or 0) == 0,
    }


def collect_prometheus(source: SourceSettings, now: datetime) -> Collected:
    clusters: dict[str, dict[str, Any]] = dict(source.option("clusters", {}))
    hits: dict[str, int] = {}

    def read(cluster: Cluster, config: dict[str, Any]) -> int:
        url = str(config.get("url", "")).rstrip("/")
        found: list[dict[str, Any]] = []
        with client_for(source, _bearer(config.get("token"))) as client:
            for name, (query, failure_class, severity) in QUERIES.items():
                for sample in _vector(client, f"{url}/api/v1/query", query):
                    found.append(_signal(name, failure_class, severity, sample))
        _observe(cluster, ClusterAlert.Kind.QUERY, found, now)
        hits[cluster.name] = len(found)
        return len(found)

    count, errors = _per_cluster(clusters.items(), read)
    return Collected(items=count, summary={"hits": hits, "errors": errors})


def _vector(client: httpx.Client, url: str, query: str) -> list[dict[str, Any]]:
    body = fetch_json(client, url, params={"query": query})
    if not isinstance(body, dict) or body.get("status") != "success":
        raise SourceError(
            "parse", f"query answer status {body.get('status') if isinstance(body, dict) else '?'}"
        )
    result = (body.get("data") or {}).get("result")
    if not isinstance(result, list):
        raise SourceError("parse", "query answer without data.result")
    return [r for r in result if isinstance(r, dict)]


def _signal(name: str, failure_class: str, severity: str, sample: dict[str, Any]) -> dict[str, Any]:
    metric = obj(sample.get("metric"))
    value = seq(sample.get("value"))
    subject = str(
        metric.get("pod")
        or metric.get("persistentvolumeclaim")
        or metric.get("node")
        or metric.get("instance")
        or ""
    )
    namespace = str(metric.get("namespace") or "")
    return {
        "key": f"{name}:{namespace}/{subject}"[:300],
        "name": name,
        "failure_class": failure_class,
        "severity": severity,
        "outcome": "fail" if severity in ("critical", "high") else "warn",
        "namespace": namespace[:253],
        "node": str(metric.get("node") or metric.get("instance") or "")[:253],
        "subject": subject[:253],
        "value": _num(value[1]) if len(value) > 1 else None,
        "description": "",
        "starts_at": None,
    }


def collect_alertmanager(source: SourceSettings, now: datetime) -> Collected:
    targets = [dict(t) for t in source.option("targets", [])]
    firing: dict[str, dict[str, int]] = {}

    def read(cluster: Cluster, config: dict[str, Any]) -> int:
        url = str(config.get("url", "")).rstrip("/")
        with client_for(source, _bearer(config.get("token"))) as client:
            body = fetch_json(client, f"{url}/api/v2/alerts")
        if not isinstance(body, list):
            raise SourceError("parse", "alerts answer is not a list")
        parsed = (_alert(a) for a in body if isinstance(a, dict))
        alerts = [a for a in parsed if a is not None]
        _observe(cluster, ClusterAlert.Kind.ALERT, alerts, now)
        counts = firing.setdefault(cluster.name, {"critical": 0, "warning": 0, "other": 0})
        for alert in alerts:
            level = alert["severity"] if alert["severity"] in ("critical", "warning") else "other"
            counts[level] += 1
        return len(alerts)

    count, errors = _per_cluster(((str(t.get("cluster")), t) for t in targets), read)
    return Collected(items=count, summary={"firing": firing, "errors": errors})


def _alert(row: dict[str, Any]) -> dict[str, Any] | None:
    status = obj(row.get("status"))
    if status.get("state") == "suppressed":
        return None
    labels = obj(row.get("labels"))
    notes = obj(row.get("annotations"))
    severity = str(labels.get("severity") or "info")
    name = str(labels.get("alertname") or "")
    return {
        "key": str(row.get("fingerprint") or name)[:300],
        "name": name[:200],
        "failure_class": "",
        "severity": severity[:20],
        "outcome": "fail" if severity in ("critical", "warning") else "warn",
        "namespace": str(labels.get("namespace") or "")[:253],
        "node": str(labels.get("node") or labels.get("instance") or "")[:253],
        "subject": str(labels.get("pod") or "")[:253],
        "value": None,
        "description": mask(str(notes.get("description") or notes.get("summary") or "")),
        "starts_at": _time(row.get("startsAt")),
    }


@transaction.atomic
def _observe(cluster: Cluster, kind: str, found: list[dict[str, Any]], now: datetime) -> None:
    """Open a row per new key, touch the ones still there, close the ones gone."""
    open_rows = {
        a.key: a for a in ClusterAlert.objects.filter(cluster=cluster, kind=kind, closed_at=None)
    }
    seen = set()
    for item in found:
        if item["key"] in seen:
            continue
        seen.add(item["key"])
        row = open_rows.get(item["key"])
        if row is None:
            ClusterAlert.objects.create(
                cluster=cluster, kind=kind, first_seen=now, last_seen=now, **item
            )
        else:
            for field, value in item.items():
                setattr(row, field, value)
            row.last_seen = now
            row.save()
    gone = [pk for key, row in open_rows.items() if key not in seen for pk in [row.pk]]
    ClusterAlert.objects.filter(pk__in=gone).update(closed_at=now)


def _num(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    number = _num(value)
    return int(number) if number is not None else None


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
