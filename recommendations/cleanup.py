"""Cleanup detectors run on every cluster (spec 5): stuck teardowns from the AnarchySubjects the
Babylon collector stored, and orphaned volumes and unhealthy operator pods read live from each
cluster with its own read-only client. A cluster that cannot be read is skipped, never blocks."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from collectors.models import ProvisionRecord
from labs.models import Cluster
from recommendations.detectors import (
    DESTROY_STATES,
    CleanupReport,
    orphaned_pvcs,
    orphaned_pvs,
    platform_namespace,
    stuck_teardowns,
    unhealthy_operator_pods,
)
from scanning.client import ClusterAccessError, api_client_for, list_all

logger = logging.getLogger(__name__)


def _subject(record: ProvisionRecord) -> dict[str, Any]:
    """A stored record in the AnarchySubject shape the detector reads."""
    since = record.state_since or record.deletion_timestamp or record.created
    return {
        "metadata": {"name": record.name},
        "spec": {
            "vars": {
                "current_state": record.current_state,
                "job_vars": {
                    "sandbox_openshift_namespace": record.lab_namespace,
                    "sandbox_openshift_cluster": record.workload_cluster_name,
                },
            }
        },
        "status": {"lastTransitionTime": since.isoformat() if since else ""},
    }


def _list(api: Any, path: str) -> list[dict[str, Any]]:
    try:
        return list_all(api, path)
    except ClusterAccessError as exc:
        if exc.kind == "not_found":  # a cluster (or simulator) without this kind
            return []
        raise


def cluster_cleanup(cluster: Cluster, *, now: datetime) -> CleanupReport:
    """One cluster's report; raises ClusterAccessError when the cluster cannot be read."""
    api = api_client_for(cluster)
    namespaces = {str(n["metadata"]["name"]) for n in _list(api, "/api/v1/namespaces")}
    volumes = _list(api, "/api/v1/persistentvolumes")
    claims = _list(api, "/api/v1/persistentvolumeclaims")
    pods = [
        pod
        for namespace in sorted(n for n in namespaces if platform_namespace(n))
        for pod in _list(api, f"/api/v1/namespaces/{namespace}/pods")
    ]
    names = {str(v["metadata"]["name"]) for v in volumes}
    records = ProvisionRecord.objects.filter(
        current_state__in=DESTROY_STATES, workload_cluster=cluster
    )
    return CleanupReport(
        cluster=cluster.name,
        stuck_teardowns=stuck_teardowns(
            [_subject(r) for r in records], now=now, namespaces=namespaces
        ),
        orphaned_pvs=orphaned_pvs(volumes, namespaces),
        orphaned_pvcs=orphaned_pvcs(claims, names),
        operator_pods=unhealthy_operator_pods(pods),
    )


def cleanup_reports(*, now: datetime) -> dict[str, CleanupReport]:
    reports = {}
    for cluster in Cluster.objects.filter(enabled=True).order_by("name"):
        try:
            reports[cluster.name] = cluster_cleanup(cluster, now=now)
        except ClusterAccessError as exc:
            logger.warning("cleanup detectors skipped %s: %s", cluster.name, exc.kind)
    return reports
