"""A web process restarted under 50 open sockets: it comes back, the pages' sockets reconnect
(htmx ws extension) and the pages refetch their live parts (static/js/live-reconnect.js), so a
change made while the web process was down shows without a reload."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import websocket
from django.conf import settings
from django.db import connection, connections
from playwright.sync_api import Page, expect

from dashboard.tests import live_driver
from labs.models import LabInstance, Status
from tests.stack import stack, wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not settings.REDIS_URL,
        reason="the restarted web process shares PostgreSQL and Redis (the production mode)",
    ),
]
COUNT = """
window.wsOpens = 0; window.refetched = 0;
document.addEventListener('htmx:wsOpen', () => { window.wsOpens += 1 });
document.addEventListener('stargate:liveRefetched', () => { window.refetched += 1 });
"""
PAGES = 3
RAW_SOCKETS = 50 - PAGES


def in_thread(work: object) -> None:
    """Playwright's sync API keeps an event loop in the test's thread; ORM writes go elsewhere."""

    def run() -> None:
        try:
            work()  # type: ignore[operator]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(run).result()


def test_it_reconnects_and_refetches_after_a_web_process_restart(
    page: Page, tmp_path: Path
) -> None:
    in_thread(live_driver.seed)
    target = LabInstance.objects.filter(status=Status.READY).order_by("namespace").first()
    assert target is not None
    failed_before = LabInstance.objects.filter(status=Status.FAILED).count()
    with stack(tmp_path) as running:
        web = running.web()
        page.context.add_init_script(COUNT)
        page.goto(f"{web.url}/accounts/login/?next=/")
        page.fill("#id_login", "admin")
        page.fill("#id_password", live_driver.PASSWORD)
        page.click("#local-login")
        pages = [page, page.context.new_page(), page.context.new_page()]
        pages[1].goto(f"{web.url}/labs/")
        pages[2].goto(f"{web.url}/labs/{target.pk}/")
        for each in pages:
            each.wait_for_function("() => window.wsOpens === 1", timeout=10000)
            each.evaluate("() => { window.notReloaded = true }")
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in page.context.cookies())
        ws_url = web.url.replace("http://", "ws://") + "/ws/dashboard/"
        raw = [
            websocket.create_connection(ws_url, cookie=cookies, origin=web.url, timeout=10)
            for _ in range(RAW_SOCKETS)
        ]

        web.stop()
        # While it is down a worker records a failed lab: its broadcast reaches no socket.
        running.run("-m", "dashboard.tests.live_driver", "fail", target.namespace)
        web.start()

        for each in pages:
            each.wait_for_function("() => window.wsOpens >= 2", timeout=20000)
            each.wait_for_function("() => window.refetched >= 1", timeout=10000)
            assert each.evaluate("() => window.notReloaded") is True
        expect(pages[0].locator("#count-failed strong")).to_have_text(str(failed_before + 1))
        expect(pages[1].locator(f"#lab-row-{target.pk}")).to_contain_text("Failed")
        expect(pages[2].locator(f"#lab-{target.pk}-status")).to_contain_text("Failed")

        # The other sockets were cut; each reconnects to the restarted process.
        for sock in raw:
            with pytest.raises((websocket.WebSocketException, OSError)):
                sock.recv()
        again = [
            websocket.create_connection(ws_url, cookie=cookies, origin=web.url, timeout=10)
            for _ in range(RAW_SOCKETS)
        ]
        assert all(sock.connected for sock in again)
        other = LabInstance.objects.filter(status=Status.READY).exclude(pk=target.pk).first()
        assert other is not None
        running.run("-m", "dashboard.tests.live_driver", "fail", other.namespace)
        wait_until(lambda: "lab-row-" in again[0].recv(), 10, "an update on a new socket")
        for sock in again:
            sock.close()
