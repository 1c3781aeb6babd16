"""The service simulators and the Kubernetes simulator tell one story about the same fleet."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml
from kubernetes import client

from simulator import catalog
from simulator.generator import FleetSpec, generate_fleet
from simulator.platform import aap_job_id
from simulator.platform_services import SERVICES_FILE, start
from simulator.services.aap import aap_data
from simulator.services.agnosticv import commit_file, write_agnosticv
from simulator.services.demolition import PUSH_FIELDS, external_evidence, push_external_evidence
from simulator.services.labagator import labagator_data
from simulator.services.sandbox import service_uuid
from simulator.tests.services_client import client as service_client

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def _of(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def test_catalog_items_claims_and_pools_in_the_cluster_data() -> None:
    fleet = generate_fleet(FleetSpec(clusters=2, namespaces=12, failure_rate=0, now=NOW))
    objects = fleet.objects["sim-01"]
    full_names = {catalog.full_name(i) for i in catalog.items()}

    assert {c["metadata"]["name"] for c in _of(objects, "CatalogItem")} == full_names
    subjects = {s["spec"]["vars"]["job_vars"]["guid"]: s for s in _of(objects, "AnarchySubject")}
    claims = _of(objects, "ResourceClaim")
    assert len(claims) == 12
    for claim in claims:
        guid = claim["status"]["resourceHandle"]["name"].removeprefix("guid-")
        item = claim["metadata"]["labels"]["babylon.gpte.redhat.com/catalogItemName"]
        assert item == subjects[guid]["spec"]["governor"] and item in full_names
        assert claim["status"]["summary"]["agnosticv"]["path"].endswith("/prod.yaml")
    pools = {p["metadata"]["name"]: p for p in _of(objects, "ResourcePool")}
    exhausted, low = pools[catalog.EXHAUSTED_ITEM], pools[catalog.LOW_ITEM]
    assert exhausted["status"]["resourceHandleCount"]["available"] == 0
    assert exhausted["spec"]["minAvailable"] > 0
    assert low["status"]["resourceHandleCount"]["available"] == 1
    for name, pool in pools.items():
        free = [
            h
            for h in _of(objects, "ResourceHandle")
            if h["spec"]["resourcePool"]["name"] == name and "resourceClaim" not in h["spec"]
        ]
        assert len(free) == len(pool["status"]["resourceHandles"])
    assert len(_of(objects, "Workshop")) == len(catalog.items())
    assert len(_of(objects, "MultiWorkshop")) == 1
    assert _of(objects, "Deployment")[-1]["metadata"]["name"] == "sandbox-api"


def test_it_is_deterministic_per_seed(tmp_path: Path) -> None:
    def build(seed: int) -> Any:
        fleet = generate_fleet(FleetSpec(clusters=1, namespaces=8, seed=seed, now=NOW))
        return labagator_data(fleet), aap_data(fleet, "event0", "pw", "tok")

    assert build(3) == build(3)
    assert build(3) != build(4)
    first = write_agnosticv(tmp_path / "a")
    second = write_agnosticv(tmp_path / "b")
    assert _git(first, "rev-parse", "HEAD") == _git(second, "rev-parse", "HEAD")
    write_agnosticv(first)  # a restart over the same repository adds no commit
    assert _git(first, "rev-list", "--count", "HEAD") == "1"


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def test_the_agnosticv_repository_holds_the_fleets_items(tmp_path: Path) -> None:
    repo = write_agnosticv(tmp_path / "origin")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--depth", "1", repo.resolve().as_uri(), str(clone)], check=True
    )

    for item in catalog.items():
        assert (clone / catalog.agnosticv_path(item)).is_file()
        common = (clone / catalog.account_dir(item) / item / "common.yaml").read_text()
        includes = [
            line.split(" ", 1)[1] for line in common.splitlines() if line.startswith("#include")
        ]
        assert includes and all(
            (clone / path.lstrip("/")).is_file()
            if path.startswith("/")
            else (clone / catalog.account_dir(item) / item / path).resolve().is_file()
            for path in includes
        )
        loader = type("VaultLoader", (yaml.SafeLoader,), {})
        loader.add_constructor("!vault", lambda loader, node: "<vault>")  # type: ignore[no-untyped-call]
        values = yaml.load(common, Loader=loader)  # noqa: S506 - a SafeLoader subclass
        assert values["admin_password"] == "<vault>"
        assert values["__meta__"]["tower"]["timeout"] > 0 and values["workloads"]
        assert any(c.get("version") for c in values["requirements_content"]["collections"])
        assert (clone / catalog.EVENT / item / "common.yaml").is_file()
    sha = commit_file(repo, "common.yaml", "---\n# changed\n", "Change the top file")
    assert _git(repo, "rev-parse", "HEAD") == sha != _git(clone, "rev-parse", "HEAD")


def test_start_writes_the_manifest_and_the_stuck_teardown(
    simulator_server: Callable[..., Any], tmp_path: Path
) -> None:
    fleet = generate_fleet(FleetSpec(clusters=2, namespaces=10, failure_rate=0.2, now=NOW))
    sim = simulator_server(fleet=fleet)
    services = start(fleet, tmp_path / "data", kubernetes=sim)
    try:
        manifest_path = tmp_path / "data" / SERVICES_FILE
        manifest = json.loads(manifest_path.read_text())
        assert stat.S_IMODE(manifest_path.stat().st_mode) == 0o600
        assert set(manifest["services"]) == set(services.servers)
        assert manifest["agnosticv"]["url"].startswith("file://")
        custom = client.CustomObjectsApi(sim.api_client("sim-01"))
        subjects = custom.list_cluster_custom_object(
            "anarchy.gpte.redhat.com", "v1", "anarchysubjects"
        )["items"]
        stuck = [s for s in subjects if s["spec"]["vars"]["current_state"] == "destroying"]
        assert len(stuck) == 1
        started = datetime.fromisoformat(
            stuck[0]["status"]["towerJobs"]["destroy"]["startTimestamp"]
        )
        assert fleet.now - started > timedelta(hours=2)
        namespace = stuck[0]["spec"]["vars"]["job_vars"]["sandbox_openshift_namespace"]
        names = {
            n.metadata.name
            for n in client.CoreV1Api(sim.api_client("sim-01")).list_namespace().items
        }
        assert namespace not in names
        with service_client(services, "aap-event0") as http:
            job_id = stuck[0]["status"]["towerJobs"]["destroy"]["deployerJob"]
            job = http.get(f"/api/v2/jobs/{job_id}/").json()
        assert job["status"] == "running" and "destroy" in job["name"]
    finally:
        services.stop()
    assert not manifest_path.exists()


def test_services_name_the_fleets_labs(services: Any) -> None:
    fleet = services.fleet
    subjects = {
        s["spec"]["vars"]["job_vars"]["guid"]: s
        for objects in fleet.objects.values()
        for s in _of(objects, "AnarchySubject")
    }
    lab = fleet.labs[0]
    with service_client(services, "sandbox_api") as http:
        placement = http.get(f"/api/v1/placements/{service_uuid(lab.guid)}").json()
    with service_client(services, "aap-event0") as http:
        job = http.get(f"/api/v2/jobs/{aap_job_id(lab.guid)}/").json()
    with service_client(services, "demolition") as http:
        smoke = http.get("/integration/sessions").json()

    assert subjects[lab.guid]["spec"]["vars"]["job_vars"]["uuid"] == placement["service_uuid"]
    assert job["name"].startswith(subjects[lab.guid]["spec"]["governor"])
    codes = {re.match(r"LB\d{4}", s["name"]).group(0) for s in smoke if s["name"].startswith("LB")}  # type: ignore[union-attr]
    assert codes <= {catalog.lab_code(i) for i in catalog.items()}
    failed_provisions = [
        s for s in subjects.values() if s["spec"]["vars"]["current_state"] == "provision-failed"
    ]
    with service_client(services, "aap-event0") as http:
        failed = http.get("/api/v2/jobs/?status=failed&page_size=200").json()["results"]
    assert len(failed) >= 1 + len(failed_provisions)


def test_the_push_helper_sends_the_inbound_shape() -> None:
    seen: list[httpx.Request] = []

    def receive(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"ok": True})

    session = {
        "id": 701,
        "name": "LB1203 rhel-ai-workshop smoke",
        "workshop_url": "https://x",
        "last_result": {"total": 10, "completed": 6, "failed": 4},
    }
    body = external_evidence(session, "sim-01")
    with httpx.Client(transport=httpx.MockTransport(receive)) as http:
        answer = push_external_evidence("http://stargate.test/", "sg_key", body, client=http)

    assert answer.status_code == 201
    assert seen[0].url.path == "/integration/external-evidence"
    assert seen[0].headers["Authorization"] == "Bearer sg_key"
    sent = json.loads(seen[0].content)
    assert set(sent) == set(PUSH_FIELDS)
    assert (sent["lab_code"], sent["outcome"], sent["steps_failed"]) == ("LB1203", "fail", 4)


def test_a_pool_drains_over_control_and_refills_when_scaled(
    simulator_server: Callable[..., Any],
) -> None:
    from simulator.tests.conftest import wait_for

    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=4, failure_rate=0, now=NOW))
    sim = simulator_server(fleet=fleet)
    custom = client.CustomObjectsApi(sim.api_client("sim-01"))
    pool_args = ("poolboy.gpte.redhat.com", "v1", "poolboy", "resourcepools", "openshift-gitops")

    def available() -> int:
        pool = custom.get_namespaced_custom_object(*pool_args)
        return int(pool["status"]["resourceHandleCount"]["available"])

    assert available() >= 2
    drained = httpx.post(
        f"{sim.http_url}/_control/pools",
        json={"cluster": "sim-01", "pool": "openshift-gitops", "available": 0},
        headers={"Authorization": f"Bearer {sim.token}"},
        timeout=5,
    )
    assert drained.status_code == 200
    wait_for(lambda: available() == 0)
    time.sleep(0.5)  # a drained pool stays drained: no refill without a scale
    assert available() == 0

    custom.patch_namespaced_custom_object(*pool_args, {"spec": {"minAvailable": 5}})

    wait_for(lambda: available() == 5)
    handles = custom.list_namespaced_custom_object(
        "poolboy.gpte.redhat.com",
        "v1",
        "poolboy",
        "resourcehandles",
        label_selector="poolboy.gpte.redhat.com/resource-pool-name=openshift-gitops",
    )["items"]
    assert len([h for h in handles if "resourceClaim" not in h["spec"]]) == 5
