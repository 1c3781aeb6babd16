"""Faults that need no simulator: nothing listens, or the credentials file is missing."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from labs.models import Cluster, LabInstance, Status
from labs.naming import LabName
from labs.services import lab_instance_upsert
from scanning.models import ScanRun
from scanning.services import scan_run_execute

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def dead_cluster(tmp_path) -> Cluster:
    token = tmp_path / "token"
    token.write_text("t0k3n\n")
    cluster = Cluster.objects.create(
        name="dead",
        api_url=f"http://127.0.0.1:{closed_port()}",
        token_file=str(token),
        insecure_lab=True,
    )
    instance = lab_instance_upsert(
        cluster=cluster,
        lab_name=LabName(namespace="sandbox-a1-demo", guid="a1", catalog_item="demo"),
    )
    LabInstance.objects.filter(pk=instance.pk).update(status=Status.READY)
    return cluster


def test_it_marks_a_refusing_cluster_and_shows_its_labs_stale(dead_cluster: Cluster) -> None:
    run = scan_run_execute(cluster=dead_cluster, tier=1)
    assert run.status == ScanRun.Status.FAILED
    assert run.error_kind == "refused"
    dead_cluster.refresh_from_db()
    assert not dead_cluster.reachable
    assert dead_cluster.unreachable_since is not None
    assert dead_cluster.consecutive_failures == 1
    assert "refused" in dead_cluster.last_error
    assert set(LabInstance.objects.values_list("status", flat=True)) == {Status.STALE}


def test_it_backs_off_before_contacting_the_cluster_again(dead_cluster: Cluster) -> None:
    scan_run_execute(cluster=dead_cluster, tier=2)
    assert scan_run_execute(cluster=dead_cluster, tier=2).status == ScanRun.Status.SKIPPED
    later = timezone.now() + timedelta(minutes=5)
    assert scan_run_execute(cluster=dead_cluster, tier=2, now=later).status == ScanRun.Status.FAILED
    dead_cluster.refresh_from_db()
    assert dead_cluster.consecutive_failures == 2


def test_it_reports_a_missing_token_file_as_a_config_error(dead_cluster: Cluster) -> None:
    dead_cluster.token_file = "/nonexistent/token"
    run = scan_run_execute(cluster=dead_cluster, tier=3)
    assert (run.status, run.error_kind) == (ScanRun.Status.FAILED, "config")
