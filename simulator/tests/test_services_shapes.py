"""Each service simulator serves the spec's shapes (platform-contracts 6-14), fleet data."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import httpx

from simulator import catalog
from simulator.services.aap import FAILED_TASK
from simulator.services.demolition import FAILING_ITEM
from simulator.tests.services_client import client, sandbox_access_token

SESSION_FIELDS = {
    "lab_code",
    "session_date",
    "start_time",
    "room",
    "attendees",
    "status",
    "ops_deploy_person",
}
LAB_FIELDS = {"lab_code", "title", "status", "cloud", "deploy_mode", "ci_name"}
JOB_FIELDS = {
    "id",
    "name",
    "status",
    "finished",
    "elapsed",
    "result_traceback",
    "job_explanation",
    "extra_vars",
}


def _follow(http: httpx.Client, path: str, key: str = "results") -> list[Any]:
    rows: list[Any] = []
    url: str | None = path
    while url:
        page = http.get(url).json()
        rows += page[key]
        url = page["next"]
    return rows


def test_labagator_pages_labs_and_sessions_with_next(services: Any) -> None:
    with client(services, "labagator") as http:
        labs = _follow(http, "/labs/?limit=4")
        sessions = _follow(http, "/room-sessions/?limit=4&event_id=42")
        events = http.get("/events/").json()
        dashboard = http.get("/ops/dashboard/42").json()

    assert [lab["lab_code"] for lab in labs] == [catalog.lab_code(i) for i in catalog.items()]
    assert all(set(lab) >= LAB_FIELDS for lab in labs)
    assert {lab["ci_name"] for lab in labs} == {f"{catalog.EVENT}.{i}" for i in catalog.items()}
    assert all(set(s) >= SESSION_FIELDS and isinstance(s["attendees"], int) for s in sessions)
    assert all(re.fullmatch(r"\d\d:\d\d(:\d\d)?", s["start_time"]) for s in sessions)
    assert isinstance(events, list) and events[0]["id"] == 42
    assert dashboard["sessions_total"] == len(sessions)


def test_labagator_serves_the_other_envelopes(services: Any) -> None:
    data = services.server("labagator").data
    with client(services, "labagator") as http:
        data["envelope"] = "list"
        bare = http.get("/labs/").json()
        data["envelope"] = "sessions"
        named = http.get("/room-sessions/").json()
        data["envelope"] = "results"

    assert isinstance(bare, list) and len(bare) == len(catalog.items())
    assert "sessions" in named and "results" not in named


def test_sessions_come_in_the_next_hours(services: Any) -> None:
    from datetime import datetime

    now = services.fleet.now
    with client(services, "labagator") as http:
        sessions = http.get("/room-sessions/").json()["results"]

    def start(s: dict[str, Any]) -> datetime:
        clock = s["start_time"] if len(s["start_time"]) == 8 else s["start_time"] + ":00"
        return datetime.fromisoformat(f"{s['session_date']}T{clock}+00:00")

    upcoming = [s for s in sessions if timedelta(0) < start(s) - now < timedelta(hours=24)]
    exhausted = catalog.lab_code(catalog.EXHAUSTED_ITEM)
    assert len(upcoming) >= len(catalog.items())
    assert any(
        s["lab_code"] == exhausted and s["attendees"] == 60 and start(s) - now <= timedelta(hours=2)
        for s in upcoming
    )


def test_launchpad_catalog_and_sessions(services: Any) -> None:
    with client(services, "launchpad") as http:
        items = http.get("/catalog").json()["items"]
        sessions = http.get("/lab-sessions").json()["sessions"]

    assert {i["catalog_item_id"] for i in items} == {catalog.lab_code(i) for i in catalog.items()}
    assert any("display_name" not in i for i in items)  # an optional field left out
    assert sessions and all(
        {"catalog_item_id", "created_at", "state", "namespace", "session_id"} <= set(s)
        and "start_time" not in s
        for s in sessions
    )


def test_aap_pages_jobs_with_counts_and_a_failing_task(services: Any) -> None:
    cutoff = (services.fleet.now - timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%S")
    with client(services, "aap-event0") as http:
        failed = _follow(http, f"/api/v2/jobs/?status=failed&finished__gt={cutoff}&page_size=2")
        running = http.get("/api/v2/jobs/?status=running&page_size=1").json()
        provisions = http.get(
            f"/api/v2/jobs/?finished__gt={cutoff}&name__contains=provision&page_size=1"
        ).json()
        job = next(j for j in failed if "zz9fp" in j["name"])
        events = http.get(
            f"/api/v2/jobs/{job['id']}/job_events/?event=runner_on_failed&page_size=3"
        ).json()

    assert all(set(j) >= JOB_FIELDS and j["status"] == "failed" for j in failed)
    assert isinstance(job["extra_vars"], str)
    extra = json.loads(job["extra_vars"])
    assert extra["bastion_ansible_host"] == f"ssh.{services.fleet.clusters[0]}.sim.example.com"
    assert re.findall(r"TASK \[([^\]]+)\]", job["result_traceback"])[-1] == FAILED_TASK
    assert job["name"].startswith(catalog.full_name(catalog.EXHAUSTED_ITEM))
    assert running["count"] >= 1 and len(running["results"]) == 1
    assert provisions["count"] > 1 and set(provisions) == {"count", "next", "previous", "results"}
    assert provisions["next"].startswith("/api/v2/jobs/?")  # relative, joined to the controller
    assert events["results"][0]["task"] == FAILED_TASK
    assert events["results"][0]["event_data"]["res"]["msg"]


def test_aap_accepts_a_token_as_well_as_basic(services: Any) -> None:
    creds = services.credentials("aap-event1")
    url = f"{services.url('aap-event1')}/api/v2/jobs/?page_size=1"

    assert httpx.get(url, headers={"Authorization": f"Bearer {creds['token']}"}).status_code == 200
    assert httpx.get(url, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_demolition_sessions_and_the_failing_one(services: Any) -> None:
    with client(services, "demolition") as http:
        sessions = http.get("/integration/sessions").json()
        failing = next(s for s in sessions if FAILING_ITEM in s["name"])
        status = http.get(f"/integration/sessions/{failing['id']}/status").json()

    fields = {"id", "name", "status", "worker_count", "workshop_url"}
    assert all(fields <= set(s) for s in sessions)
    assert status["last_result"]["failed"] > 0
    assert {"total", "completed", "failed"} <= set(status["last_result"])
    passing = [s for s in sessions if (s.get("last_result") or {}).get("failed") == 0]
    assert passing and all(s["last_result"]["completed"] > 0 for s in passing)


def test_sandbox_api_metrics_and_placements(services: Any) -> None:
    metrics = httpx.get(services.credentials("sandbox_api")["metrics_url"], timeout=5).text
    lab = services.fleet.labs[0]
    with client(services, "sandbox_api") as http:
        placements = http.get("/api/v1/placements").json()
        from simulator.services.sandbox import service_uuid

        one = http.get(f"/api/v1/placements/{service_uuid(lab.guid)}").json()
        missing = http.get("/api/v1/placements/00000000-0000-0000-0000-000000000000")
        status = http.get(f"/api/v1/placements/{service_uuid(lab.guid)}/status")

    for name in (
        "sandbox_pg_connections_active",
        "sandbox_queued_placements_total",
        'sandbox_ratelimit_available_slots{cluster="sim-01"}',
    ):
        assert name in metrics
    assert len(placements) == len(services.fleet.labs)
    assert {
        "service_uuid",
        "status",
        "created_at",
        "updated_at",
        "resources",
        "annotations",
        "request",
    } <= set(one)
    assert one["annotations"]["guid"] == lab.guid and one["annotations"]["env_type"]
    assert one["resources"][0]["name"] == lab.namespace
    assert missing.status_code == 404 and set(missing.json()) == {"message", "http_code"}
    assert status.status_code == 200


def test_sandbox_api_login_tokens_expire_and_lists_need_admin(services: Any) -> None:
    url = services.url("sandbox_api")
    user = services.credentials("sandbox_api")["user_login_token"]
    login = httpx.get(f"{url}/api/v1/login", headers={"Authorization": f"Bearer {user}"})
    token = login.json()["access_token"]
    assert {"access_token", "access_token_exp"} <= set(login.json())
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{url}/api/v1/placements", headers=headers).status_code == 403
    # The login token itself is no access token.
    assert (
        httpx.get(
            f"{url}/api/v1/placements", headers={"Authorization": f"Bearer {user}"}
        ).status_code
        == 401
    )
    data = services.server("sandbox_api").data
    data["access_tokens"][sandbox_access_token(services)][1] = 0  # expired
    assert all(
        httpx.get(f"{url}/api/v1/placements", headers={"Authorization": f"Bearer {t}"}).status_code
        in (401, 403)
        for t, (_, exp) in data["access_tokens"].items()
        if exp == 0
    )


def test_zerotouch_items_and_seats(services: Any) -> None:
    with client(services, "zerotouch") as http:
        items = http.get("/catalogItems").json()["items"]
        first = http.get(
            f"/workshop/{catalog.lab_code(catalog.items()[0]).lower()}-{catalog.items()[0]}"
        ).json()
        second = http.get(
            f"/workshop/{catalog.lab_code(catalog.items()[1]).lower()}-{catalog.items()[1]}"
        ).json()

    assert {i["name"] for i in items} == {catalog.full_name(i) for i in catalog.items()}
    assert any(i["disabled"] for i in items)
    assert {"seats_total", "seats_available"} <= set(first)
    assert {"seatsTotal", "seatsAvailable", "seatsClaimed"} <= set(second)


def test_scheduler_evaluates_each_cluster(services: Any) -> None:
    with client(services, "cluster_scheduler") as http:
        answer = http.get("/evaluate", params={"cluster": "sim-01"}).json()
        unknown = http.get("/evaluate", params={"cluster": "nope"})

    assert answer["kind"] == "ClusterHealth" and answer["metadata"]["name"] == "sim-01"
    assert set(answer["metrics"]) == {
        "health_score",
        "cpu_usage_pct",
        "memory_usage_pct",
        "critical_alerts",
        "unhealthy_nodes",
        "total_nodes",
        "vm_count",
    }
    nodes = [o for o in services.fleet.objects["sim-01"] if o["kind"] == "Node"]
    assert answer["metrics"]["total_nodes"] == len(nodes)
    assert unknown.status_code == 404


def test_prometheus_vectors_and_alertmanager_alerts(services: Any) -> None:
    with client(services, "prometheus-sim-01") as http:
        restarts = http.get(
            "/api/v1/query",
            params={"query": "sort_desc(kube_pod_container_status_restarts_total>10)"},
        )
        nothing = http.get("/api/v1/query", params={"query": "etcd_slow_things>1"}).json()
        empty = http.get("/api/v1/query", params={"query": ""})
        alerts = http.get("/api/v2/alerts").json()

    body = restarts.json()
    assert body["status"] == "success" and body["data"]["resultType"] == "vector"
    for sample in body["data"]["result"]:
        assert set(sample) == {"metric", "value"} and isinstance(sample["value"][1], str)
    assert nothing["data"]["result"] == []
    assert empty.status_code == 400 and empty.json()["status"] == "error"
    for alert in alerts:
        assert {"labels", "annotations", "startsAt", "fingerprint", "status"} <= set(alert)
        assert "alertname" in alert["labels"] and "state" in alert["status"]
    assert any(a["status"]["state"] == "suppressed" for a in alerts)
