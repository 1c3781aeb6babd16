"""In Chromium: the channels page and the dead letters of a receiver that failed; "Retry"
sends them once it is back. axe-core finds no serious or critical violation on either page."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from incidents.models import Incident
from labs.models import Team
from notifications.delivery import deliver_due
from notifications.models import Channel, Notification
from simulator.receivers import Receiver

from .conftest import WEBHOOK_SECRET
from .factories import ROUTING_KEY, change, channel, incident, member_lab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "correct-horse-battery-staple"
AXE_RUN = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
  .filter((v) => v.impact === "serious" || v.impact === "critical")
  .map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(" | ")}`)"""
T = TypeVar("T")


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "bypass_csp": True}  # axe is injected from its file


def in_thread(work: Callable[[], T]) -> T:
    """Playwright keeps an event loop in the test's thread: deliveries run apart."""

    def run() -> T:
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def axe(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return list(page.evaluate(AXE_RUN))


def test_dead_letters_are_shown_and_retried(
    page: Page, live_server: LiveServer, receiver: Receiver, settings: Any
) -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: npm ci --prefix tests/axe")
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    User.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    team = Team.objects.create(name="workshops")
    channel("workshops-slack", Channel.Kind.SLACK, receiver.slack_url, team=team)
    channel(
        "platform-pager",
        Channel.Kind.PAGERDUTY,
        receiver.pagerduty_url,
        secret=ROUTING_KEY,
        routes=[{"min_severity": "critical"}],
        quiet_start=None,
    )
    channel(
        "audit-hook",
        Channel.Kind.WEBHOOK,
        receiver.webhook_url,
        secret=WEBHOOK_SECRET,
        rate_limit_per_hour=60,
    )
    lab = member_lab("ocp-east-1", "ocp4-gitops", team)
    row = incident("Node worker-3 on ocp-east-1", severity="critical", members=[lab])
    change(row, "acknowledged", status=Incident.Status.ACKNOWLEDGED)
    receiver.fail(500)
    now = timezone.now()
    in_thread(lambda: deliver_due(now))
    in_thread(lambda: deliver_due(now + timezone.timedelta(seconds=60)))
    dead = Notification.objects.filter(state=Notification.State.DEAD).count()
    assert dead == 3  # the first message of each channel; the acknowledgements wait behind

    page.goto(f"{live_server.url}/accounts/login/?next=/notifications/")
    page.fill("#id_login", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("#local-login")
    page.wait_for_url(f"{live_server.url}/notifications/")
    expect(page.locator("#channel-table")).to_contain_text("http://127.0.0.1/…")
    assert ROUTING_KEY not in page.content() and receiver.slack_url not in page.content()
    assert axe(page) == []
    page.set_viewport_size({"width": 1280, "height": 620})
    page.screenshot(path=str(SCREENSHOTS / "notifications-channels.png"))

    page.goto(f"{live_server.url}/notifications/dead-letters/")
    rows = page.locator("#delivery-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("http_500")
    assert axe(page) == []
    page.screenshot(path=str(SCREENSHOTS / "notifications-dead-letters.png"))

    receiver.heal()
    while page.locator("#delivery-table button", has_text="Retry").count():
        page.locator("#delivery-table button", has_text="Retry").first.click()
        page.wait_for_load_state("networkidle")
    expect(page.locator("#delivery-table")).to_contain_text("No messages.")
    assert in_thread(lambda: deliver_due(timezone.now())) == 6
    keys = [r.key for r in receiver.received()]
    assert len(keys) == len(set(keys)) == 6
    page.goto(f"{live_server.url}/notifications/deliveries/?state=delivered")
    expect(page.locator("#delivery-table tbody tr")).to_have_count(6)
    page.goto(f"{live_server.url}{row.get_absolute_url()}")
    table = page.locator("#incident-notification-table")
    expect(table.locator("tbody tr")).to_have_count(6)
    expect(table).to_contain_text("acknowledged")
    assert axe(page) == []
