from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from labs.models import Cluster
from labs.naming import LabName
from labs.services import lab_instance_upsert
from scanning.models import EvidenceRevision, LabEvidence
from scanning.normalize import evidence_from_lists
from scanning.persist import evidence_store
from scanning.tests.fixtures_scan import capture_lists

pytestmark = pytest.mark.django_db


def test_it_adds_a_revision_only_when_the_evidence_changed(captures: Path) -> None:
    cluster = Cluster.objects.create(name="c1", api_url="https://c1.example.com:6443")
    namespace = "sandbox-abc12-demo"
    instance = lab_instance_upsert(
        cluster=cluster, lab_name=LabName(namespace=namespace, guid="abc12", catalog_item="demo")
    )
    lists = capture_lists(captures / "oc" / "unhealthy")
    for items in lists.values():
        for item in items:
            item["metadata"]["namespace"] = namespace
    now = timezone.now()

    def scan(at: object) -> None:
        evidence = evidence_from_lists(
            cluster="c1", namespaces={namespace: None}, lists=lists, collected_at=str(at)
        )
        evidence_store(items=[(instance, evidence[namespace])], now=at)  # type: ignore[arg-type]

    scan(now)
    scan(now + timedelta(minutes=15))
    assert EvidenceRevision.objects.filter(lab_instance=instance).count() == 1
    latest = LabEvidence.objects.get(lab_instance=instance)
    assert latest.collected_at == now + timedelta(minutes=15)
    assert latest.changed_at == now

    lists["pods"][0]["status"]["containerStatuses"][0]["state"] = {"running": {}}
    scan(now + timedelta(minutes=30))
    assert EvidenceRevision.objects.filter(lab_instance=instance).count() == 2
    latest.refresh_from_db()
    assert latest.evidence["objects"]["pods"][0]["status"]["containerStatuses"][0]["state"] == {
        "running": {}
    }
