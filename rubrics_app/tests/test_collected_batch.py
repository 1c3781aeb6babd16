"""The collectors' sections of a batch of labs are read once for all of them, in a constant
number of queries, and are those each lab's own read finds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collectors.models import AapJob, PoolSnapshot
from forecasting.models import Session
from labs.models import Cluster, Lab, LabInstance
from rubrics_app.collected import collected_sections, collected_sections_many

from .collected_fixtures import POOL, lab_facts
from .investigation_fixtures import failed_lab, unreachable_cluster

pytestmark = pytest.mark.django_db


def _other_lab(cluster: Cluster) -> LabInstance:
    """A lab of another catalog item, its code only in its namespace: its own failed job, its
    own pool, a session on another cluster (not its own), no smoke test."""
    now = timezone.now()
    lab = LabInstance.objects.create(
        cluster=cluster, namespace="sandbox-lb0042-x", lab=Lab.objects.create(catalog_item="ai-lab")
    )
    AapJob.objects.create(
        controller="aap-1",
        job_id=201,
        name="RHPDS ai-lab provision",
        status="failed",
        lab_code="LB0042",
        catalog_item="summit.other",
        error="quota exceeded",
        finished=now - timedelta(hours=3),
    )
    for minutes, count in ((40, 4), (5, 1)):
        PoolSnapshot.objects.create(
            pool_name="pool-ai",
            taken_at=now - timedelta(minutes=minutes),
            available=count,
            ready=count,
            min_available=1,
            catalog_item="ai-lab",
        )
    Session.objects.create(
        lab=lab.lab,
        cluster=Cluster.objects.create(name="elsewhere", api_url="https://127.0.0.1:9"),
        name="Elsewhere",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
    )
    return lab


def test_a_batch_reads_each_labs_own_sections_in_constant_queries() -> None:
    cluster = unreachable_cluster()
    first = failed_lab(cluster)
    lab_facts(first)
    other = _other_lab(cluster)
    bare = LabInstance.objects.create(
        cluster=cluster, namespace="sandbox-bare", lab=Lab.objects.create(catalog_item="none")
    )
    labs = list(
        LabInstance.objects.filter(pk__in=[first.pk, other.pk, bare.pk]).select_related(
            "lab", "cluster"
        )
    )
    now = timezone.now()
    with CaptureQueriesContext(connection) as one:
        collected_sections_many(labs[:1], now)
    with CaptureQueriesContext(connection) as three:
        batch = collected_sections_many(labs, now)
    # codes, jobs, pools, the pools' history, sessions, smoke; and the lab mappings' pool patterns
    # once a lab of the batch has no pool found by its catalog item or lab code (`bare`)
    assert (len(one), len(three)) == (6, 7)
    assert batch == {lab.pk: collected_sections(lab, now) for lab in labs}
    assert set(batch[first.pk]) == {"automation_jobs", "pool", "sessions", "smoke_tests"}
    assert batch[first.pk]["pool"]["pool"] == POOL
    assert batch[other.pk]["pool"]["pool"] == "pool-ai"
    assert [r["available"] for r in batch[other.pk]["pool"]["recent"]] == [1, 4]
    assert batch[other.pk]["automation_jobs"]["top_error"] == "quota exceeded"
    assert set(batch[other.pk]) == {"automation_jobs", "pool"}  # the session is on another cluster
    assert batch[bare.pk] == {}
