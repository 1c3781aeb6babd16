"""End to end: a failure injected into the simulator reaches an open dashboard without a reload.

simulator (a lab starts crash-looping) → tier-3 scan → rubric engine verdict → broadcast after
commit → Redis → Daphne → the browser's labs table row.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Page, expect

from labs.models import LabInstance, Status
from labs.tests import live_driver
from labs.tests.test_browser_dashboard import open_live, start_redis_daphne, stop

pytest.importorskip("scanning.simulator.fleet", reason="the simulator is not merged")

from scanning.models import ScanRun
from scanning.services import scan_run_execute
from scanning.simulator.fleet import FleetSimulator, fleet_simulator
from scanning.simulator.generator import FleetSpec, generate_fleet
from scanning.tests.fixtures_scan import cluster_row

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def simulated(tmp_path: Path) -> Iterator[FleetSimulator]:
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=4, failure_rate=0.0, seed=3))
    sim = fleet_simulator(fleet, directory=tmp_path / "sim")
    yield sim
    sim.stop()


def scan(cluster: Any) -> ScanRun:
    """In a thread of its own: Playwright keeps an event loop in the test's thread."""

    def work() -> ScanRun:
        try:
            return scan_run_execute(cluster=cluster, tier=3)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def test_it_shows_a_simulated_failure_in_an_open_dashboard(
    page: Page, simulated: FleetSimulator, tmp_path: Path, django_user_model: Any
) -> None:
    django_user_model.objects.create_superuser("admin", "a@example.com", live_driver.PASSWORD)
    cluster = cluster_row(simulated, "sim-01")
    assert scan(cluster).status == ScanRun.Status.SUCCEEDED
    lab = LabInstance.objects.exclude(status=Status.FAILED).order_by("namespace").first()
    assert lab is not None, "the healthy fleet's labs were not recorded"
    process, url = start_redis_daphne(tmp_path)
    try:
        open_live(page, url, "/labs/")
        row = page.locator(f"#lab-row-{lab.pk}")
        expect(row).not_to_contain_text("Failed")

        simulated.break_lab("sim-01", lab.namespace, "crashloop")
        assert scan(cluster).status == ScanRun.Status.SUCCEEDED

        expect(row).to_contain_text("Failed", timeout=2000)
        expect(row).to_contain_text("crashloop")
        assert page.evaluate("() => window.notReloaded") is True
    finally:
        stop(process)
