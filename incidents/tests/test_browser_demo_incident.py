"""The demo's NotReady node (`serve`'s fleet: 3 clusters x 60 labs, seed 7) is one incident on
the pages, not some fifty lab warnings: none of the warned labs is notified, the incident
holds them all, names the node's class, proposes its action and requested it through the gates.
Also takes the README's screenshots of the incident pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Page, expect

from dashboard.tests import live_driver
from dashboard.tests.test_browser_dashboard import SCREENSHOTS, log_in, start_redis_daphne, stop
from incidents.models import Event, Incident
from incidents.tests.test_browser_incidents import in_thread, scan_and_process
from remediation.catalog import catalog_load
from remediation.management.commands.load_catalog import catalog_rows
from remediation.services import catalog_apply
from scanning.tests.fixtures_scan import cluster_row
from simulator.fleet import FleetSimulator, fleet_simulator
from simulator.generator import Fleet, FleetSpec, generate_fleet
from simulator.registry import control_file_write, simulator_dir
from simulator.seams import DEMO_ARGUMENTS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
NODE_CLASS = "cluster-nodes-not-ready"


def demo_spec() -> FleetSpec:
    """The fleet `serve` starts (simulator.seams.DEMO_ARGUMENTS)."""
    args = dict(zip(DEMO_ARGUMENTS[::2], DEMO_ARGUMENTS[1::2], strict=True))
    return FleetSpec(
        clusters=int(args["--clusters"]),
        namespaces=int(args["--namespaces"]),
        failure_rate=float(args["--failure-rate"]),
        seed=int(args["--seed"]),
    )


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Fleet, FleetSimulator]]:
    fleet = generate_fleet(demo_spec())
    sim = fleet_simulator(fleet, directory=tmp_path / "sim")
    yield fleet, sim
    sim.stop()


def test_the_demos_not_ready_node_is_one_incident(
    page: Page,
    demo: tuple[Fleet, FleetSimulator],
    tmp_path: Path,
    django_user_model: Any,
    settings: Any,
) -> None:
    fleet, sim = demo
    [(cluster_name, node)] = [
        (c, n) for c, n, kind in fleet.node_failures if kind == "node_not_ready"
    ]
    django_user_model.objects.create_superuser("admin", "a@example.com", live_driver.PASSWORD)
    settings.DATA_DIR = tmp_path / "data"
    control_file_write(sim=sim, directory=simulator_dir())
    catalog_apply(
        rows=catalog_rows(catalog_load(django_settings.REMEDIATIONS_DIR / "catalog.yaml"))
    )
    cluster = cluster_row(sim, cluster_name)  # the node's cluster: the other two add no warning
    cluster.simulated = cluster.insecure_lab = True
    cluster.save()

    in_thread(lambda: scan_and_process(cluster))

    warned = Event.objects.filter(failure_class=NODE_CLASS, outcome="warn")
    assert warned.count() >= 50, "the demo's node warns some fifty labs"
    assert not warned.filter(notify=True).exists()  # not one lab warning is sent
    incident = Incident.objects.get(kind="node")
    assert Incident.objects.filter(failure_class=NODE_CLASS).count() == 1
    members = incident.members.count()
    assert members >= warned.count()
    assert incident.failure_class == NODE_CLASS  # the node's class, not a lab symptom's
    assert incident.proposed_action == f"diagnose-{NODE_CLASS}"
    assert incident.action_request is not None

    process, url = start_redis_daphne(tmp_path)
    try:
        log_in(page, url, "/incidents/")
        page.goto(url + "/incidents/")  # without the sign-in message, for the screenshot
        rows = page.locator("#incident-rows tbody tr")
        expect(rows).to_have_count(Incident.objects.count())
        node_row = page.locator(f"#incident-row-{incident.pk}")
        expect(node_row).to_contain_text(f"Node {node} on {cluster_name}")
        expect(node_row).to_contain_text(f"{members} / {members}")
        page.screenshot(path=str(SCREENSHOTS / "incidents-list.png"))

        page.goto(url + "/")
        expect(page.locator("#open-incidents table tbody tr").first).to_be_visible()
        headings = page.locator("main h1, main h2, main section").all_inner_texts()
        assert any("Open incidents" in text for text in headings[:3]), headings[:3]
        page.screenshot(path=str(SCREENSHOTS / "fleet-incidents.png"))

        page.goto(url + incident.get_absolute_url())
        expect(page.locator("#incident-members tbody tr")).to_have_count(members)
        expect(page.locator("#severity-factors")).to_contain_text(f"{NODE_CLASS} (high)")
        expect(page.locator("#proposed-action")).to_contain_text(f"diagnose-{NODE_CLASS}")
        expect(page.locator("#incident-request")).to_contain_text(f"diagnose-{NODE_CLASS}")
        page.screenshot(path=str(SCREENSHOTS / "incident-detail.png"))
    finally:
        stop(process)
