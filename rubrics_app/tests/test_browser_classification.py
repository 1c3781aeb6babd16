"""In the browser: a proposal is reviewed (accept), made a rule, replayed, and switched on."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from rubrics_app.classification.candidates import candidates_classify
from rubrics_app.models import ClassificationProposal, ClassificationRule, Evaluation

from .classification_fixtures import scan, unexplained

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_review_accept_promote_replay_activate(
    page: Page, live_server: Any, admin_user: Any, admin_password: str, lab_instance: Any, llm: Any
) -> None:
    scan(lab_instance, unexplained(reason="Cluster Capacity High"))
    candidates_classify(log_tail=lambda *_: {})  # if the scan's queued task has not run yet
    proposal = ClassificationProposal.objects.get()

    page.goto(live_server.url + "/rubrics/proposals/")
    page.fill("#id_login", "admin")
    page.fill("#id_password", admin_password)
    page.click("#local-login")
    assert proposal.proposed_class == "cluster-capacity-high"  # not the default
    row = page.locator(f"#proposal-{proposal.pk}")
    expect(row).to_contain_text(proposal.proposed_class)
    row.locator("input[name=reason]").fill("the pod status says so")
    row.get_by_role("button", name="Accept").click()
    expect(row.locator(".proposal-status")).to_have_text("accepted")

    page.goto(live_server.url + "/rubrics/proposals/?status=accepted")
    page.locator(f"#proposal-{proposal.pk}").get_by_role("link", name="Make it a rule").click()
    expect(page.locator("input[name=reason]")).to_have_value("Cluster Capacity High")
    page.get_by_role("button", name="Save the rule (draft)").click()
    expect(page.locator(".rule-status")).to_have_text("draft")
    page.get_by_role("button", name="Replay on stored evidence").click()
    expect(page.locator("#replay")).to_contain_text(str(lab_instance))
    page.get_by_role("button", name="Switch it on").click()
    expect(page.locator(".rule-status")).to_have_text("active")

    rule = ClassificationRule.objects.get()
    verdict = Evaluation.objects.get(lab_instance=lab_instance, rubric_id="deployment-ready")
    assert (rule.status, verdict.class_source, verdict.class_rule) == (
        "active",
        "rule",
        f"{rule.rule_id}@v1",
    )
