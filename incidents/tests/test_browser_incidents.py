"""End to end: a NotReady node on a simulated cluster is one incident, not a warning per lab.

simulator (a node stops posting status) → tier-1 and tier-3 scans → the rubric engine warns the
labs on that node → the incident pipeline (as a worker runs it) → one `node` incident, pushed to
an open incidents page (Redis → Daphne) without a reload, and first on the fleet overview."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Page, expect

from dashboard.tests import live_driver
from dashboard.tests.test_browser_dashboard import open_live, start_redis_daphne, stop
from incidents.models import Event, Incident
from incidents.pipeline import events_process
from scanning.models import LabEvidence, ScanRun
from scanning.services import scan_run_execute
from scanning.tests.fixtures_scan import cluster_row
from simulator.fleet import FleetSimulator, fleet_simulator
from simulator.generator import FleetSpec, generate_fleet
from simulator.registry import control_file_write, simulator_dir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def simulated(tmp_path: Path) -> Iterator[FleetSimulator]:
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=16, failure_rate=0.0, seed=5))
    sim = fleet_simulator(fleet, directory=tmp_path / "sim")
    yield sim
    sim.stop()


def in_thread(work: Any) -> Any:
    """Playwright keeps an event loop in the test's thread: scans and the pipeline run apart."""

    def run() -> Any:
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def scan_and_process(cluster: Any) -> None:
    for tier in (1, 3):
        assert scan_run_execute(cluster=cluster, tier=tier).status == ScanRun.Status.SUCCEEDED
    events_process()


def busiest_node() -> tuple[str, int]:
    counts: Counter[str] = Counter()
    for evidence in LabEvidence.objects.values_list("evidence", flat=True):
        pods = (evidence.get("objects") or {}).get("pods") or []
        nodes = {pod.get("spec", {}).get("nodeName") for pod in pods} - {None}
        counts.update(nodes)
    return counts.most_common(1)[0]


def test_a_not_ready_node_is_one_incident_on_an_open_page(
    page: Page, simulated: FleetSimulator, tmp_path: Path, django_user_model: Any, settings: Any
) -> None:
    django_user_model.objects.create_superuser("admin", "a@example.com", live_driver.PASSWORD)
    # Showroom probes reach this simulator's pages (the test's own data directory).
    settings.DATA_DIR = tmp_path / "data"
    control_file_write(sim=simulated, directory=simulator_dir())
    cluster = cluster_row(simulated, "sim-01")
    cluster.simulated = cluster.insecure_lab = True
    cluster.save()
    in_thread(lambda: scan_and_process(cluster))
    assert not Incident.objects.exists(), list(Incident.objects.values_list("kind", "title"))
    node, labs_on_node = busiest_node()
    assert labs_on_node >= 2, "the simulated fleet put fewer than two labs on one node"
    process, url = start_redis_daphne(tmp_path)
    try:
        open_live(page, url, "/incidents/")
        expect(page.locator("#incident-rows")).to_contain_text("No incidents")

        simulated.break_node("sim-01", node, "node_not_ready")
        in_thread(lambda: scan_and_process(cluster))

        incident = Incident.objects.get()  # one, not one per lab
        assert (incident.kind, incident.members.count()) == ("node", labs_on_node)
        warned = Event.objects.filter(failure_class="cluster-nodes-not-ready")
        assert warned.count() == labs_on_node and not warned.filter(notify=True).exists()
        rows = page.locator("#incident-rows tbody tr")
        expect(rows).to_have_count(1, timeout=3000)
        expect(rows.first).to_contain_text(f"Node {node} on sim-01")
        expect(rows.first).to_contain_text(f"{labs_on_node} / {labs_on_node}")
        assert page.evaluate("() => window.notReloaded") is True

        page.goto(url + "/")
        first = page.locator("#open-incidents table tbody tr")
        expect(first).to_have_count(1)
        expect(first).to_contain_text(f"Node {node} on sim-01")
        page.locator("#open-incidents a", has_text=f"Node {node}").click()
        expect(page.locator("#incident-members tbody tr")).to_have_count(labs_on_node)
        expect(page.locator("#severity-factors")).to_contain_text("cluster-nodes-not-ready (high)")
    finally:
        stop(process)
