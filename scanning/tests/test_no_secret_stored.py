"""A fleet whose objects carry secrets is scanned, then every stored row, the pages and the API
are searched. Runs on PostgreSQL and on the embedded SQLite mode alike."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from scanning.models import LabEvidence, ScanRun
from scanning.services import scan_run_execute
from scanning.tests.fixtures_scan import cluster_row, lab_pod, namespace_obj
from scanning.tests.secret_search import all_rows_text
from simulator import Store

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

NS = "sandbox-zz9-demo"


def secret_fleet(planted: list[str]) -> Store:
    def plant() -> str:
        planted.append(f"S3CR3T{secrets.token_hex(8)}")
        return planted[-1]

    pod = lab_pod(
        NS,
        "app-0",
        waiting="CrashLoopBackOff",
        env=[
            {"name": "DB_PASSWORD", "value": plant()},
            {"name": "HARMLESS_LOOKING", "value": plant()},
        ],
    )
    container = pod["spec"]["containers"][0]
    container["args"] = ["--token", plant()]
    container["command"] = ["sh", "-c", f"run --password={plant()}"]
    pod["metadata"]["annotations"] = {"example.com/config": plant()}
    status = pod["status"]
    status["containerStatuses"][0]["state"]["waiting"]["message"] = (
        f"login failed: password={plant()}; GITHUB_TOKEN=ghp_{plant()}"
    )
    status["containerStatuses"][0]["lastState"] = {
        "terminated": {"reason": "Error", "exitCode": 1, "message": f"DB_PASSWORD={plant()}"}
    }
    status["message"] = f"env AWS_SECRET_ACCESS_KEY={plant()} rejected"
    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "app-0.1", "namespace": NS},
        "type": "Warning",
        "reason": "Failed",
        "message": (
            f"pull https://bot:{plant()}@registry.example.com/x failed, Bearer {plant()},"
            f" MYSQL_ROOT_PASSWORD={plant()}"
        ),
        "involvedObject": {"kind": "Pod", "name": "app-0", "namespace": NS},
    }
    subject = {
        "apiVersion": "anarchy.gpte.redhat.com/v1",
        "kind": "AnarchySubject",
        "metadata": {"name": "subject", "namespace": NS},
        "spec": {
            "vars": {
                "current_state": "started",
                "job_vars": {"admin_password": plant(), "cloud_api_key": plant()},
            }
        },
        "status": {"diffBase": plant()},
    }
    route = {
        "apiVersion": "route.openshift.io/v1",
        "kind": "Route",
        "metadata": {"name": "web", "namespace": NS},
        "spec": {"host": "web.example.com", "tls": {"termination": "edge", "key": plant()}},
    }
    result = Store("c1")
    result.load([namespace_obj(NS), pod, event, subject, route])
    return result


def test_it_stores_no_secret_anywhere(simulator_server: Any) -> None:
    planted: list[str] = []
    sim = simulator_server(stores={"c1": secret_fleet(planted)})
    cluster = cluster_row(sim, "c1")
    for tier in (1, 3, 4, 2):
        assert scan_run_execute(cluster=cluster, tier=tier).status == ScanRun.Status.SUCCEEDED

    evidence = LabEvidence.objects.get().evidence
    assert evidence["objects"]["pods"] and evidence["objects"]["events"]
    assert evidence["objects"]["anarchysubjects"][0]["spec"]["vars"]["current_state"] == "started"
    stored = all_rows_text()
    assert len(planted) == 16
    leaked = [secret for secret in planted if secret in stored]
    assert leaked == []
