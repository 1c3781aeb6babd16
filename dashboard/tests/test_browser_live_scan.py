"""End to end: a failure injected into the simulator reaches an open dashboard without a reload,
in both run modes.

simulator (a lab starts crash-looping) → tier-3 scan → rubric engine verdict → broadcast after
commit → Redis → Daphne → the browser's labs table row. In the embedded mode (SQLite file, the
in-memory channel layer) the scan runs in a process of its own, as a django-q2 worker would
(`manage.py scan_cluster`), so its broadcast reaches Daphne only through the LiveEvent relay.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Page, expect

from dashboard.tests import live_driver
from dashboard.tests.test_browser_dashboard import (
    base_env,
    open_live,
    run_manage,
    start_daphne,
    start_redis_daphne,
    stop,
)
from labs.models import LabInstance, Status

pytest.importorskip("simulator.fleet", reason="the simulator is not merged")

from scanning.models import ScanRun
from scanning.services import scan_run_execute
from scanning.tests.fixtures_scan import cluster_row
from simulator.fleet import FleetSimulator, fleet_simulator
from simulator.generator import FleetSpec, generate_fleet
from simulator.registry import control_file_write

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


EMBEDDED_SETUP = """
from django.contrib.auth import get_user_model
from labs.models import Cluster
get_user_model().objects.create_superuser("admin", "a@example.com", {password!r})
Cluster.objects.create(
    name="sim-01", api_url={api_url!r}, kubeconfig_path={kubeconfig!r},
    labels={{"simulated": "true"}}, simulated=True,
)
"""


def test_it_shows_a_simulated_failure_in_an_open_dashboard_in_the_embedded_mode(
    page: Page, simulated: FleetSimulator, tmp_path: Path
) -> None:
    env = base_env(tmp_path / "data")  # no database URL, no Redis: SQLite + in-memory layer
    env["STARGATE_CREDENTIALS_DIR"] = str(tmp_path)  # the simulator's kubeconfigs
    control_file_write(sim=simulated, directory=tmp_path / "data" / "simulator")
    run_manage(env, "manage.py", "migrate", "-v0")
    setup = EMBEDDED_SETUP.format(
        password=live_driver.PASSWORD,
        api_url=simulated.url("sim-01"),
        kubeconfig=str(simulated.kubeconfig_path("sim-01")),
    )
    run_manage(env, "manage.py", "shell", "-c", setup)
    run_manage(env, "manage.py", "scan_cluster", "sim-01", "--tier", "3")
    namespace = sorted(lab.namespace for lab in simulated.fleet.labs)[0]
    process, url = start_daphne(env, tmp_path / "daphne.log")
    try:
        open_live(page, url, "/labs/")
        row = page.locator("#lab-table tbody tr", has_text=namespace)
        expect(row).to_be_visible()
        expect(row).not_to_contain_text("Failed")

        simulated.break_lab("sim-01", namespace, "crashloop")
        # A separate process, as a django-q2 worker is: its in-memory layer is not Daphne's.
        run_manage(env, "manage.py", "scan_cluster", "sim-01", "--tier", "3")

        expect(row).to_contain_text("Failed", timeout=2000)
        expect(row).to_contain_text("crashloop")
        assert page.evaluate("() => window.notReloaded") is True
    finally:
        stop(process)
