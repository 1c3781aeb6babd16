"""Triage first, in Chromium against Daphne (PostgreSQL, Redis): the labs table worst first, the
cause on top of a lab page, the action buttons as the gates decide them for the person looking
(run, request approval, blocked by a named gate) on the lab page, the failure-class page and the
approval queue, and cluster conditions once per cluster. Screenshots go where the README's are
(see `test_browser_dashboard.SCREENSHOTS`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.utils import timezone
from playwright.sync_api import Page, expect

from dashboard.fleet import fleet_forget
from dashboard.tests import live_driver
from dashboard.tests.test_browser_dashboard import SCREENSHOTS, log_in, start_redis_daphne, stop
from labs.models import Lab, LabInstance, Status
from labs.tests.factories import platform_operator
from remediation.catalog import catalog_load
from remediation.management.commands.load_catalog import catalog_rows
from remediation.models import ActionRequest, RemediationAction
from remediation.pauses import remediation_pause_set
from remediation.services import catalog_apply
from rubrics_app.models import Evaluation
from scanning.models import LabEvidence

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SEVERITY = ["Failed", "Stale", "Unknown", "Warn", "Progressing", "Ready"]
WIDE = {"width": 1366, "height": 900}


@pytest.fixture
def server(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """Daphne on the test database and the Redis channel layer, with the seeded fleet."""
    live_driver.seed()
    process, url = start_redis_daphne(tmp_path)
    yield url
    stop(process)


def _statuses(page: Page) -> list[str]:
    texts = page.locator("#lab-table tbody tr td:nth-child(6)").all_inner_texts()
    return [re.sub(r"^\W+", "", text).strip() for text in texts]


def _in_severity_order(statuses: list[str]) -> bool:
    ranks = [SEVERITY.index(s) for s in statuses]
    return ranks == sorted(ranks)


def test_it_sorts_the_labs_table_worst_first(page: Page, server: str) -> None:
    log_in(page, server, "/labs/")
    expect(page.locator("#lab-table tbody tr")).to_have_count(42)
    statuses = _statuses(page)
    assert statuses[0] == "Failed" and statuses[-1] == "Ready"
    assert _in_severity_order(statuses)  # not alphabetical: Stale before Warn before Ready
    header = page.locator("#lab-table th[aria-sort]")
    expect(header).to_have_text(re.compile("Status"))
    page.set_viewport_size(WIDE)
    page.screenshot(path=str(SCREENSHOTS / "labs-table-triage.png"))
    page.click("#lab-table th a:text('Status')")  # the other way: best first
    expect(page).to_have_url(re.compile(r"sort=-status"))
    expect(page.locator("#lab-table tbody tr").first).to_contain_text("Ready")
    assert _in_severity_order(_statuses(page)[::-1])


def _actionable(mode: str = "low_risk_auto") -> LabInstance:
    """A failed lab (crash-looping pod, real verdicts) whose catalog item runs in `mode`, with
    the evidence a scan stores beside its verdicts."""
    catalog_apply(rows=catalog_rows(catalog_load(settings.REMEDIATIONS_DIR / "catalog.yaml")))
    instance = (
        LabInstance.objects.filter(status=Status.FAILED, lab__execution_mode="recommend_only")
        .filter(cluster__reachable=True)
        .select_related("lab")
        .order_by("namespace")
        .first()
    )
    assert instance is not None
    Lab.objects.filter(pk=instance.lab_id).update(execution_mode=mode)
    for other in LabInstance.objects.filter(status=Status.FAILED):
        LabEvidence.objects.update_or_create(
            lab_instance=other,
            defaults={
                "evidence": dict(live_driver.crashing_evidence()),
                "content_hash": "x",
                "collected_at": timezone.now(),
                "changed_at": timezone.now(),
            },
        )
    fleet_forget()
    return instance


def test_the_cause_sits_on_top_and_the_rubrics_worst_first(page: Page, server: str) -> None:
    instance = _actionable()
    log_in(page, server, f"/labs/{instance.pk}/")
    cause = page.locator(f"#lab-{instance.pk}-cause")
    expect(cause).to_contain_text("SG-040")
    expect(cause).to_contain_text("crashloop")
    expect(cause).to_contain_text("severity")
    expect(cause.locator(".cause-object")).not_to_have_text("—")
    expect(cause.locator(".cause-action")).to_contain_text("restart-pod")
    expect(cause).to_contain_text("Seen by the engine")
    box = cause.bounding_box()
    pipeline = page.locator(f"#lab-{instance.pk}-pipeline").bounding_box()
    assert box is not None and pipeline is not None and box["y"] < pipeline["y"]
    first = page.locator(f"#lab-{instance.pk}-pipeline article").first
    expect(first).to_contain_text("Failed")
    ready = page.locator(f"#lab-{instance.pk}-pipeline details.rubric-ready")
    if ready.count():
        expect(ready.first.locator("article")).not_to_be_visible()  # collapsed
        ready.first.locator("summary").click()
        expect(ready.first.locator("article")).to_be_visible()
    page.set_viewport_size(WIDE)
    page.screenshot(path=str(SCREENSHOTS / "lab-cause.png"), full_page=True)


def _user(name: str, *perms: str) -> User:
    user = User.objects.create_user(name, f"{name}@example.com", live_driver.PASSWORD)
    for perm in perms:
        user.user_permissions.add(Permission.objects.get(codename=perm))
    return platform_operator(user)  # every team's labs (team scoping: test_team_isolation)


def _log_in_as(page: Page, url: str, username: str, next_path: str) -> None:
    page.goto(f"{url}/accounts/login/?next={next_path}")
    page.fill("#id_login", username)
    page.fill("#id_password", live_driver.PASSWORD)
    page.click("#local-login")
    expect(page).to_have_url(f"{url}{next_path}")


def test_the_buttons_follow_the_gates_for_the_person_looking(page: Page, server: str) -> None:
    runnable = _actionable()
    offers = page.locator(f"#lab-{runnable.pk}-actions")
    log_in(page, server, f"/labs/{runnable.pk}/")
    # Run: restart-pod is low risk and the lab runs low-risk fixes automatically.
    run = offers.get_by_role("button", name="Run")
    expect(run).to_be_enabled()
    page.set_viewport_size(WIDE)
    page.screenshot(path=str(SCREENSHOTS / "lab-actions.png"), full_page=True)
    run.click()
    expect(offers).to_contain_text("Request #")
    made = ActionRequest.objects.get(lab_instance=runnable)
    assert (made.source, made.requested_by.username) == ("ui", "admin")  # type: ignore[union-attr]
    assert made.audit_entries.filter(event="requested", user__username="admin").exists()

    # Blocked by a named gate: a lab in recommend_only.
    blocked = (
        LabInstance.objects.filter(status=Status.FAILED, lab__execution_mode="recommend_only")
        .filter(cluster__reachable=True)
        .exclude(lab=runnable.lab)
        .first()
    )
    assert blocked is not None
    page.goto(f"{server}/labs/{blocked.pk}/")
    button = page.locator(f"#lab-{blocked.pk}-actions button", has_text="Blocked by")
    expect(button).to_be_disabled()
    expect(button).to_contain_text("execution_mode")

    # Request approval: the action now always needs one; a user who may ask but not approve.
    RemediationAction.objects.filter(action_id="restart-pod").update(requires_approval=True)
    Lab.objects.filter(pk=blocked.lab_id).update(execution_mode="low_risk_auto")
    target = blocked
    asker = page.context.browser.new_page()  # type: ignore[union-attr]
    _user("rita", "add_actionrequest")
    _log_in_as(asker, server, "rita", f"/labs/{target.pk}/")
    ask = asker.locator(f"#lab-{target.pk}-actions")
    expect(ask.get_by_role("button", name="Request approval")).to_be_visible()
    ask.get_by_role("textbox").fill("attendees are blocked")
    ask.get_by_role("button", name="Request approval").click()
    expect(ask).to_contain_text("Pending approval")
    pending = ActionRequest.objects.get(lab_instance=target, status="pending")
    assert "attendees are blocked" in pending.audit_entries.get(event="requested").intent

    # The approval queue: approving would run it now; then a pause blocks it, by name.
    page.goto(f"{server}/remediation/approvals/")
    row = page.locator(f"#approval-{pending.pk}")
    expect(row.get_by_role("button", name="Approve and run")).to_be_enabled()
    page.screenshot(path=str(SCREENSHOTS / "approval-queue-gates.png"))
    admin = User.objects.get(username="admin")
    remediation_pause_set(cluster=None, paused=True, reason="change freeze", user=admin)
    page.reload()
    expect(row.locator("button", has_text="Blocked by paused")).to_be_disabled()
    expect(row).to_contain_text("change freeze")

    # The failure-class page: the same buttons, the same gates (paused everywhere now).
    page.goto(f"{server}/classes/SG-040/")
    expect(page.locator("#class-labs tbody tr").first).to_contain_text("Failed")
    expect(page.locator("#class-labs button", has_text="Blocked by paused").first).to_be_disabled()
    page.screenshot(path=str(SCREENSHOTS / "failure-class.png"))


def test_cluster_conditions_show_once_per_cluster(page: Page, server: str) -> None:
    from scanning.models import NodeSnapshot

    west = list(LabInstance.objects.filter(cluster__name="ocp-west-2").order_by("namespace"))
    for instance in west[:6]:
        Evaluation.objects.update_or_create(
            lab_instance=instance,
            rubric_id="cluster-health",
            defaults={
                "outcome": Status.WARN,
                "failure_class": "cluster-nodes-not-ready",
                "reason": "2/3 ready",
                "evaluated_at": timezone.now(),
            },
        )
    NodeSnapshot.objects.filter(cluster__name="ocp-east-1", name="worker-1").update(
        cpu_used_millicores=15840  # 99 % of 16 cores: the simulator's node_high_cpu
    )
    fleet_forget()
    log_in(page, server, "/")
    conditions = page.locator("#cluster-conditions li.cluster-condition")
    west_line = page.locator('#cluster-conditions li[data-cluster="ocp-west-2"]')
    expect(west_line).to_have_count(1)
    expect(west_line).to_contain_text("node worker-2 NotReady")
    expect(west_line).to_contain_text("6 labs cluster-nodes-not-ready")
    expect(page.locator('#cluster-conditions li[data-cluster="ocp-east-1"]')).to_contain_text(
        "node worker-1 CPU 99% (over 90%)"
    )
    assert conditions.count() == len(
        set(conditions.evaluate_all("els => els.map(e => e.dataset.cluster)"))
    )
    expect(page.locator("#failure-classes-failed")).to_contain_text("crashloop")
    expect(page.locator("#failure-classes-warn")).not_to_contain_text("crashloop")
    page.set_viewport_size(WIDE)
    page.screenshot(path=str(SCREENSHOTS / "fleet-triage.png"), full_page=True)

    west_line.get_by_role("link", name=re.compile("6 labs")).click()
    expect(page).to_have_url(re.compile(r"/classes/SG-010/\?cluster=ocp-west-2$"))
    expect(page.locator("#class-labs tbody tr")).to_have_count(6)

    page.goto(f"{server}/clusters/ocp-east-1/")
    expect(page.locator("#node-worker-1")).to_have_class(re.compile("node-alert"))
    expect(page.locator("#node-worker-1")).to_contain_text("CPU 99% (over 90%)")
    counts = page.locator("#cluster-lab-counts")
    for status in ("failed", "stale", "unknown", "warn", "progressing", "ready"):
        expect(counts).to_contain_text(status)
    page.screenshot(path=str(SCREENSHOTS / "cluster-triage.png"), full_page=True)
