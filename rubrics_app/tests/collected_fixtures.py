"""What the collectors would have stored about a lab: its pool's snapshots, failed AAP jobs of its
catalog item (with a secret planted in the error), a running and an upcoming session, a failed
smoke test. Times are relative to now: the sections read the last days."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from collectors.models import AapJob, LabIdentity, PoolSnapshot, SmokeTestResult
from forecasting.models import Session
from labs.models import LabInstance

from .classification_fixtures import SECRET

POOL = "pool-ocp4-cluster"
JOB_ERROR = f"login to registry failed: password={SECRET}"
JOB_TASK = f"Authorization: Bearer {SECRET}x2 rejected at task deploy operator"


def lab_facts(lab: LabInstance, now: datetime | None = None, *, available: int = 0) -> None:
    now = now or timezone.now()
    LabIdentity.objects.create(
        cluster=lab.cluster,
        namespace=lab.namespace,
        instance=lab,
        lab_code="LB1234",
        catalog_item=lab.lab.catalog_item,
        resolved_by=LabIdentity.ResolvedBy.MAPPING,
    )
    for minutes, count in ((50, 3), (30, 2), (10, available)):
        PoolSnapshot.objects.create(
            pool_name=POOL,
            taken_at=now - timedelta(minutes=minutes),
            available=count,
            ready=count,
            min_available=2,
            max_unready=4,
            total_handles=6,
            catalog_item=lab.lab.catalog_item,
        )
    AapJob.objects.create(
        controller="aap-1",
        job_id=101,
        name=f"RHPDS {lab.lab.catalog_item} provision",
        status="failed",
        kind="provision",
        lab_code="LB1234",
        catalog_item="other.item",
        failing_task=JOB_TASK,
        error=JOB_ERROR,
        finished=now - timedelta(hours=1),
    )
    AapJob.objects.create(  # another lab's job: never shown
        controller="aap-1",
        job_id=102,
        name="RHPDS other provision",
        status="failed",
        lab_code="LB9999",
        catalog_item="other.item",
        failing_task="unrelated task",
        error="unrelated error",
        finished=now - timedelta(hours=1),
    )
    Session.objects.create(
        lab=lab.lab,
        name="Summit workshop",
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=2),
        attendees=40,
    )
    Session.objects.create(
        lab=lab.lab,
        name="Partner training",
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=3),
        attendees=12,
    )
    SmokeTestResult.objects.create(
        source=SmokeTestResult.Source.PUSH,
        lab=lab.lab,
        lab_instance=lab,
        passed=False,
        steps_passed=3,
        steps_failed=2,
        error_summary="step 4: showroom terminal did not open",
        finished_at=now - timedelta(minutes=20),
    )
