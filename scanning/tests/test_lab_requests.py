"""A lab's observed size: the requests of its running pods, stored with its evidence."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from labs.models import Cluster, Lab, LabInstance
from scanning.footprint import requested
from scanning.models import LabEvidence
from scanning.persist import evidence_store
from stargate.lib.evidence import NamespaceEvidence


def pod(cpu: str | None, memory: str | None, phase: str = "Running", **meta: Any) -> Any:
    wanted = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    return {
        "metadata": {"name": "p", **meta},
        "spec": {"containers": [{"name": "a", "resources": {"requests": wanted}}]},
        "status": {"phase": phase},
    }


def evidence(*pods: Any) -> NamespaceEvidence:
    return {"cluster": "c1", "namespace": "sandbox-a1-demo", "objects": {"pods": list(pods)}}


def test_running_pods_requests_are_summed_and_finished_pods_left_out() -> None:
    pods = [
        pod("500m", "1Gi"),
        pod("2", "4Gi", phase="Pending"),  # scheduled or not, it asks for its share
        pod("8", "32Gi", phase="Succeeded"),
        pod("8", "32Gi", phase="Failed"),
        pod("8", "32Gi", deletionTimestamp="2026-01-01T00:00:00Z"),
    ]
    assert requested(evidence(*pods)) == (2500, 5 * 1024**3)
    assert requested(evidence(pod(None, "256Mi"))) == (0, 256 * 1024**2)
    assert requested(evidence(pod(None, None))) == (None, None)
    assert requested(evidence()) == (None, None)


@pytest.mark.django_db
def test_the_scan_stores_them_with_the_evidence_and_updates_them() -> None:
    cluster = Cluster.objects.create(name="c1", api_url="https://127.0.0.1:1")
    lab = Lab.objects.create(catalog_item="demo")
    instance = LabInstance.objects.create(cluster=cluster, lab=lab, namespace="sandbox-a1-demo")
    evidence_store(items=[(instance, evidence(pod("1", "2Gi")))], now=timezone.now())
    row = LabEvidence.objects.get()
    assert (row.cpu_requested_millicores, row.memory_requested_bytes) == (1000, 2 * 1024**3)
    evidence_store(
        items=[(instance, evidence(pod("1", "2Gi"), pod("3", "6Gi")))], now=timezone.now()
    )
    row.refresh_from_db()
    assert (row.cpu_requested_millicores, row.memory_requested_bytes) == (4000, 8 * 1024**3)
