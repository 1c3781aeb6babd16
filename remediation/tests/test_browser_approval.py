"""A medium-risk action waits in the queue, is approved in the browser, executes on the
simulator and shows its result."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from remediation.models import ActionRequest, RemediationAction
from remediation.services import action_request_create
from remediation.tests.sim import sim_lab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_approves_a_queued_medium_risk_action_in_the_browser(
    page: Page, live_server, admin_user, admin_password, catalog, simulator_server, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.EXECUTION_TARGET = "test"
    settings.REMEDIATION_VERIFY_WINDOW_SECONDS = 5
    settings.REMEDIATION_VERIFY_INTERVAL_SECONDS = 1
    lab = sim_lab(simulator_server, "crashloop", "low_risk_auto")
    instance = lab.instances[0]
    request = action_request_create(
        lab_instance=instance,
        action=RemediationAction.objects.get(action_id="rollout-restart-deployment"),
        failure_class="crashloop",
        parameters={"deployment": "workshop-app"},
        evidence={"failing": [{"ref": "Deployment/workshop-app", "status": "failed"}]},
    )
    assert request.status == ActionRequest.Status.PENDING

    page.goto(live_server.url + "/remediation/approvals/")
    page.fill("#id_login", "admin")
    page.fill("#id_password", admin_password)
    page.click("#local-login")
    row = page.locator(f"#approval-{request.pk}")
    expect(row).to_contain_text("rollout-restart-deployment")
    expect(row).to_contain_text("deployment=workshop-app")
    expect(row).to_contain_text("medium")
    expect(row).to_contain_text("Pending approval")
    expect(page.locator("#approval-count")).to_have_text("1")

    row.locator("input[name=reason]").fill("crashloop on both replicas")
    row.locator("button[value=approve]").click()
    expect(row.locator(".req-status")).to_have_text("Succeeded", timeout=30_000)
    expect(row).to_contain_text("restarted_deployment")
    expect(row).to_contain_text("recovered: yes")
    expect(row.locator("form")).to_have_count(0)

    request.refresh_from_db()
    assert request.decided_by == admin_user
    assert request.reason == "crashloop on both replicas"
    # Verification re-evaluated the lab through the rubric service in the server's thread.
    instance.refresh_from_db()
    assert instance.status == "ready"
