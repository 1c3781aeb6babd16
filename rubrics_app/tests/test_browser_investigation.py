"""In the browser: a failed lab's page shows how it differs from a healthy sibling; Investigate
is clicked, the steps appear and the verdict is shown (the simulated LLM, the pod log read from
the kubernetes simulator); axe finds no serious violation in the panel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from dashboard.tests.test_browser_dashboard import SCREENSHOTS
from rubrics_app.models import InvestigationRun
from simulator.tests.conftest import simulator_server  # noqa: F401

from .investigation_fixtures import failed_lab, log_cluster

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).resolve().parents[2] / "tests" / "axe" / "node_modules" / "axe-core"
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
  .filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)"""


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "bypass_csp": True}  # axe is injected as a script


def test_investigate_shows_the_steps_then_the_verdict(
    page: Page,
    live_server: Any,
    admin_user: User,
    admin_password: str,
    llm: Any,
    simulator_server: Any,  # noqa: F811
) -> None:
    lab = failed_lab(log_cluster(simulator_server, "boot\nfatal: keyring locked\n"))
    page.goto(f"{live_server.url}/accounts/login/?next={lab.get_absolute_url()}")
    page.fill("#id_login", "admin")
    page.fill("#id_password", admin_password)
    page.click("#local-login")
    siblings = page.locator(f"#siblings-{lab.pk}")
    expect(siblings).to_contain_text("c.DEBUG_TOKEN")
    expect(siblings).to_contain_text("1 on the same cluster")
    panel = page.locator(f"#investigation-{lab.pk}")
    expect(panel).to_contain_text("Not investigated yet.")
    panel.get_by_role("button", name="Investigate").click()
    steps = page.locator(".investigation-step")
    expect(steps.first).to_contain_text("list_events")
    expect(page.locator(".investigation-verdict")).to_have_text("ACTIONABLE")
    expect(steps).to_have_count(7)  # six tools, then the answer
    expect(page.locator(".investigation-status")).to_have_text("complete")
    steps.filter(has_text="pod_log_tail").locator("summary").click()
    expect(steps.filter(has_text="pod_log_tail")).to_contain_text("fatal: keyring locked")
    run = InvestigationRun.objects.get()
    assert run.requested_by == admin_user and run.verdict == "ACTIONABLE"
    page.set_viewport_size({"width": 1366, "height": 1100})
    panel.screenshot(path=str(SCREENSHOTS / "investigation.png"))
    siblings.screenshot(path=str(SCREENSHOTS / "sibling-comparison.png"))
    if (AXE / "axe.min.js").exists():
        page.add_script_tag(path=str(AXE / "axe.min.js"))
        assert page.evaluate(AXE_RUN) == []
