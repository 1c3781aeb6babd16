"""The data migrations re-redact what older rules let through, in every table that stores
free text from a cluster."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from labs.models import Cluster, Lab, LabInstance
from remediation.models import ActionRequest, AuditEntry, RemediationAction
from rubrics_app.models import Evaluation, StateChange
from scanning.models import EvidenceRevision, LabEvidence, ScanRun
from scanning.tests.secret_search import all_rows_text

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

MIGRATIONS = (
    "scanning.migrations.0002_reredact",
    "labs.migrations.0007_reredact",
    "rubrics_app.migrations.0002_reredact",
    "remediation.migrations.0007_reredact",
)
SECRETS = ("Zq9dbpass0001", "Zq9ghtoken0002", "Zq9awskey0003", "Zq9mysql0004")
MESSAGE = (
    f"DB_PASSWORD={SECRETS[0]} GITHUB_TOKEN={SECRETS[1]} "
    f"AWS_SECRET_ACCESS_KEY={SECRETS[2]} MYSQL_ROOT_PASSWORD={SECRETS[3]}"
)


def old_evidence() -> dict[str, Any]:
    waiting = {"reason": "CrashLoopBackOff", "message": MESSAGE}
    pod = {
        "kind": "Pod",
        "metadata": {"name": "app-0", "namespace": "sandbox-x1-demo"},
        "status": {"message": MESSAGE, "containerStatuses": [{"state": {"waiting": waiting}}]},
    }
    event = {"kind": "Event", "reason": "Failed", "message": MESSAGE}
    return {"namespace": "sandbox-x1-demo", "objects": {"pods": [pod], "events": [event]}}


def store_as_older_rules_did() -> None:
    now = timezone.now()
    cluster = Cluster.objects.create(name="c1", api_url="https://x:1", last_error=MESSAGE)
    lab = Lab.objects.create(catalog_item="demo")
    instance = LabInstance.objects.create(cluster=cluster, namespace="sandbox-x1-demo", lab=lab)
    evidence = old_evidence()
    LabEvidence.objects.create(
        lab_instance=instance, evidence=evidence, content_hash="h", collected_at=now, changed_at=now
    )
    EvidenceRevision.objects.create(
        lab_instance=instance, evidence=evidence, content_hash="h", collected_at=now
    )
    ScanRun.objects.create(cluster=cluster, tier=3, started_at=now, errors=[MESSAGE])
    criteria = [{"id": "pods-ready", "reason": "Failed", "message": MESSAGE}]
    Evaluation.objects.create(
        lab_instance=instance,
        rubric_id="r",
        reason=f"pods-ready: {MESSAGE}",
        criteria=criteria,
        evidence_excerpt=evidence["objects"]["pods"],
        progress_memory={"Pod/app-0": MESSAGE},
        evaluated_at=now,
    )
    StateChange.objects.create(lab_instance=instance, to_status="failed", reason=MESSAGE, at=now)
    action = RemediationAction.objects.create(
        action_id="diagnose", description="d", risk="low", scope="namespace"
    )
    request = ActionRequest.objects.create(
        lab_instance=instance,
        action=action,
        status="failed",
        failure_class="x",
        evidence=evidence,
        source="auto",
        result={"output": MESSAGE},
        error=MESSAGE,
    )
    AuditEntry.objects.create(
        action_request=request,
        event="after",
        error=MESSAGE,
        result={"stderr": MESSAGE},
        source="auto",
    )


def test_it_re_redacts_every_stored_message() -> None:
    store_as_older_rules_did()
    assert all(secret in all_rows_text() for secret in SECRETS)

    for name in MIGRATIONS:
        importlib.import_module(name).reredact(apps, None)

    stored = all_rows_text()
    assert [secret for secret in SECRETS if secret in stored] == []
    assert "DB_PASSWORD=[REDACTED]" in stored
    assert Evaluation.objects.get().progress_memory == {  # keys and structure kept
        "Pod/app-0": "DB_PASSWORD=[REDACTED] GITHUB_TOKEN=[REDACTED] "
        "AWS_SECRET_ACCESS_KEY=[REDACTED] MYSQL_ROOT_PASSWORD=[REDACTED]"
    }


def test_it_leaves_clean_rows_alone() -> None:
    store_as_older_rules_did()
    for name in MIGRATIONS:
        importlib.import_module(name).reredact(apps, None)
    before = all_rows_text()
    for name in MIGRATIONS:
        importlib.import_module(name).reredact(apps, None)
    assert all_rows_text() == before
