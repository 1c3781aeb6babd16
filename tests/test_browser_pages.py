"""Every page in Chromium: axe-core finds no serious or critical accessibility violation, every
action is reachable by keyboard, and at 800 px nothing runs off the page (wide tables scroll
inside their own box).

axe-core comes from npm, pinned in `tests/axe/package-lock.json` and installed by
`scripts/test.sh` (`npm ci --prefix tests/axe`); it is injected from its file, never from a CDN.
The pages' Content-Security-Policy forbids injected scripts, so these tests' browser context
bypasses it (the CSP itself is tested in `stargate/tests/test_browser_csp.py`).
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from dashboard.tests import live_driver
from labs.models import Cluster, LabInstance, Status
from remediation.models import ActionRequest, RemediationAction
from scanning.models import ScanRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    "/",
    "/labs/",
    "/labs/{lab}/",
    "/clusters/{cluster}/",
    "/scans/runs/",
    "/scans/runs/?cluster={cluster}&tier=3&status=succeeded",
    "/scans/runs/{run}/",
    "/rubrics/",
    "/rubrics/proposals/",
    "/rubrics/ai/",
    "/classes/crashloop/",
    "/incidents/",
    "/incidents/silences/",
    "/remediation/catalog/",
    "/remediation/approvals/",
    "/remediation/effectiveness/",
    "/remediation/pause/",
    "/config-changes/",
    "/admin/",
    "/admin/scanning/scanrun/",
    "/admin/remediation/actionrequest/",
    "/admin/labs/labinstance/",
]
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ` +
      v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | "));
}"""
# Everything a user acts on; `summary` opens a <details>.
ACTIONABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary"
FOCUSABLE_COUNT = f"""() => [...document.querySelectorAll("{ACTIONABLE}")]
  .filter((e) => !e.disabled && e.getClientRects().length > 0).length"""
MARK_FOCUS = """() => { const e = document.activeElement; if (e) e.dataset.reached = "1"; }"""
UNREACHED = f"""() => [...document.querySelectorAll("{ACTIONABLE}")]
  .filter((e) => !e.disabled && e.getClientRects().length > 0 && !e.dataset.reached)
  .map((e) => e.outerHTML.slice(0, 120))"""


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def fleet() -> dict[str, Any]:
    """The dashboard's seeded fleet, the catalog, and one request waiting for approval."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: npm ci --prefix tests/axe")
    live_driver.seed()
    call_command("load_catalog", stdout=StringIO())
    failed = LabInstance.objects.filter(status=Status.FAILED).order_by("pk").first()
    assert failed is not None
    ActionRequest.objects.create(
        lab_instance=failed,
        action=RemediationAction.objects.get(action_id="rollout-restart-deployment"),
        parameters={"deployment": "web"},
        status=ActionRequest.Status.PENDING,
        failure_class="crashloop",
        source=ActionRequest.Source.AUTO,
        expires_at=timezone.now() + timedelta(hours=1),
    )
    cluster = Cluster.objects.order_by("name").first()
    assert cluster is not None
    run = ScanRun.objects.filter(cluster=cluster).first()
    assert run is not None
    return {"lab": failed.pk, "cluster": cluster.name, "run": run.pk}


def log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/accounts/login/?next=/")
    page.fill("#id_login", "admin")
    page.fill("#id_password", live_driver.PASSWORD)
    page.click("#local-login")
    page.wait_for_url(f"{url}/")


def axe_violations(page: Page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    return [f"{url}: {violation}" for violation in page.evaluate(AXE_RUN)]


def test_axe_finds_no_serious_or_critical_violation_on_any_page(
    page: Page, live_server: LiveServer, fleet: dict[str, Any]
) -> None:
    found = axe_violations(page, live_server.url + "/accounts/login/")
    log_in(page, live_server.url)
    for path in PAGES:
        found += axe_violations(page, live_server.url + path.format(**fleet))
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/clusters/{cluster}/",
        "/scans/runs/",
        "/remediation/approvals/",
        "/remediation/catalog/",
    ],
)
def test_every_action_is_reachable_by_keyboard(
    page: Page, live_server: LiveServer, fleet: dict[str, Any], path: str
) -> None:
    log_in(page, live_server.url)
    page.goto(live_server.url + path.format(**fleet))
    page.wait_for_load_state("networkidle")
    for _ in range(page.evaluate(FOCUSABLE_COUNT) + 10):
        page.keyboard.press("Tab")
        page.evaluate(MARK_FOCUS)
    assert page.evaluate(UNREACHED) == []


def test_nothing_runs_off_the_page_at_800_px(
    page: Page, live_server: LiveServer, fleet: dict[str, Any]
) -> None:
    page.set_viewport_size({"width": 800, "height": 900})
    log_in(page, live_server.url)
    wide = []
    for path in PAGES:
        page.goto(live_server.url + path.format(**fleet))
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            wide.append(f"{path}: {overflow} px too wide")
    assert wide == []

    page.goto(live_server.url + "/")  # the clusters table scrolls inside its own box
    box = page.evaluate(
        """() => { const t = document.querySelector("#cluster-table");
        return {inside: t.getBoundingClientRect().right <= window.innerWidth,
                scrolls: getComputedStyle(t).overflowX}; }"""
    )
    assert box == {"inside": True, "scrolls": "auto"}
