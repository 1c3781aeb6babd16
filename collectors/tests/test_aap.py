from __future__ import annotations

from typing import Any

import pytest

from collectors.models import AapJob, AapSnapshot
from collectors.runner import source_run
from simulator.services.aap import FAILED_TASK

from .conftest import NOW, Configure

pytestmark = pytest.mark.django_db


def test_aap_reads_failed_jobs_with_their_failing_task_and_the_sli(
    configure: Configure, services: Any
) -> None:
    configure("aap")
    run = source_run("aap", now=NOW)
    assert run is not None and run.ok, run.error
    failed = AapJob.objects.filter(failing_task=FAILED_TASK, kind="provision")
    assert failed.exists()
    job = failed.first()
    assert job is not None
    assert job.catalog_item == "openshift-cnv.ocp4-cluster"
    assert "HyperConverged" in job.error
    assert job.cluster and job.job_url.endswith(f"/#/jobs/{job.job_id}/output")
    # the failure older than the window is not read
    assert not AapJob.objects.filter(name__contains="old01").exists()
    snapshot = AapSnapshot.objects.get()
    assert snapshot.failed_24h == AapJob.objects.count()
    assert snapshot.total_jobs == snapshot.successful + snapshot.failed + snapshot.running
    assert 0 < snapshot.provision_sli < 100
    assert snapshot.top_error
    # no secret of extra_vars is stored
    assert not AapJob.objects.filter(error__contains="SIMxFAKE").exists()


def test_aap_token_auth_works_too(configure: Configure, services: Any) -> None:
    options = configure("aap")
    for controller in options["controllers"]:
        controller.pop("password")
    run = source_run("aap", now=NOW)
    assert run is not None and run.ok, run.error


def test_aap_keeps_one_controller_when_the_other_fails(configure: Configure, services: Any) -> None:
    configure("aap")
    services.inject("aap-event1", "error_500")
    run = source_run("aap", now=NOW)
    assert run is not None and run.ok
    assert "event1" in run.summary["controller_errors"]
    assert AapJob.objects.filter(controller="event0").exists()


def test_aap_follows_slow_pages(configure: Configure, services: Any) -> None:
    configure("aap", timeout=3.0)
    for name in ("aap-event0", "aap-event1"):
        services.server(name).data["max_page_size"] = 2
        services.inject(name, "slow_pages", 0.05)
    try:
        run = source_run("aap", now=NOW)
    finally:
        for name in ("aap-event0", "aap-event1"):
            services.server(name).data["max_page_size"] = 200
    assert run is not None and run.ok, run.error
    assert AapJob.objects.filter(failing_task=FAILED_TASK).exists()
