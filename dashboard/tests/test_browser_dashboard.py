"""The dashboard in Chromium against a real ASGI server (Daphne), in both run modes.

pytest-django's live_server is WSGI-only, so each test starts Daphne as a subprocess: on the test
PostgreSQL database with the Redis channel layer, or on its own SQLite database with the in-memory
layer (embedded mode), where a separate process stands in for a django-q2 worker.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from playwright.sync_api import Page, expect

from dashboard.tests import live_driver
from labs.models import LabInstance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The README's screenshots are refreshed only on request, so a test run leaves the checkout clean.
SCREENSHOTS = (
    Path(settings.BASE_DIR) / "docs" / "screenshots"
    if os.environ.get("STARGATE_UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "stargate-screenshots"
)
SCREENSHOTS.mkdir(parents=True, exist_ok=True)
EMPTY = "q=&cluster=&catalog_item=&team=&status=&failure_class="
WS_OPEN = "document.addEventListener('htmx:wsOpen', () => { window.wsOpen = true })"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STARGATE_")}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(DJANGO_SETTINGS_MODULE="stargate.settings", STARGATE_DATA_DIR=str(data_dir))
    return env


def run_manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, *args], cwd=settings.BASE_DIR, env=env, check=True, timeout=120)


def start_daphne(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "stargate.asgi:application"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"Daphne did not start: {log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def redis_server(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """Daphne on the test database and the Redis channel layer, with the seeded fleet."""
    live_driver.seed()
    process, url = start_redis_daphne(tmp_path)
    yield url
    stop(process)


def start_redis_daphne(tmp_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Daphne on the test database (committed rows: transactional tests) and the Redis layer."""
    env = base_env(tmp_path)
    db_url = os.environ["STARGATE_DATABASE_URL"].rsplit("/", 1)[0]
    env["STARGATE_DATABASE_URL"] = f"{db_url}/{connection.settings_dict['NAME']}"
    for name in ("STARGATE_REDIS_URL", "STARGATE_REDIS_PREFIX"):  # the same layer as ours
        if name in os.environ:
            env[name] = os.environ[name]
    env["DJANGO_SETTINGS_MODULE"] = "stargate.settings_test"  # the test's password hasher
    return start_daphne(env, tmp_path / "daphne.log")


@pytest.fixture
def embedded_server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """Daphne in the embedded mode: its own SQLite database, the in-memory channel layer."""
    env = base_env(tmp_path)
    run_manage(env, "manage.py", "migrate", "-v0")
    run_manage(env, "-m", "dashboard.tests.live_driver", "seed")
    process, url = start_daphne(env, tmp_path / "daphne.log")
    yield url, env
    stop(process)


def log_in(page: Page, url: str, next_path: str = "/") -> None:
    page.goto(f"{url}/accounts/login/?next={next_path}")
    page.fill("#id_login", "admin")
    page.fill("#id_password", live_driver.PASSWORD)
    page.click("#local-login")
    expect(page).to_have_url(f"{url}{next_path}")


def open_live(page: Page, url: str, path: str, *, logged_in: bool = False) -> None:
    page.add_init_script(WS_OPEN)
    if logged_in:
        page.goto(url + path)
    else:
        log_in(page, url, path)
    page.wait_for_function("() => window.wsOpen === true", timeout=5000)
    page.evaluate("() => { window.notReloaded = true }")


def fail_in_thread(namespace: str) -> None:
    """Playwright's sync API keeps an event loop in this thread; broadcasting needs another."""

    def work() -> None:
        live_driver.fail(namespace)
        connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(work).result()


def test_it_filters_and_sorts_the_labs_table(page: Page, redis_server: str) -> None:
    log_in(page, redis_server, "/labs/")
    rows = page.locator("#lab-table tbody tr")
    expect(rows).to_have_count(42)
    page.select_option("#id_status", "failed")
    expect(page).to_have_url(
        f"{redis_server}/labs/?q=&cluster=&catalog_item=&team=&status=failed&failure_class="
    )
    expect(rows).to_have_count(LabInstance.objects.filter(status="failed").count())
    for text in rows.all_inner_texts():
        assert "Failed" in text
    page.fill("#id_q", "1001")
    expect(rows).to_have_count(1)
    page.fill("#id_q", "")
    page.select_option("#id_status", "")
    expect(page).to_have_url(f"{redis_server}/labs/?{EMPTY}")
    expect(rows).to_have_count(42)
    page.click("#lab-table th a:text('Namespace')")
    expect(page).to_have_url(f"{redis_server}/labs/?{EMPTY}&sort=namespace")
    first = sorted(LabInstance.objects.values_list("namespace", flat=True))[0]
    expect(rows.first).to_contain_text(first)
    page.click("#lab-table th a:text('Namespace')")
    expect(page).to_have_url(f"{redis_server}/labs/?{EMPTY}&sort=-namespace")
    last = sorted(LabInstance.objects.values_list("namespace", flat=True))[-1]
    expect(rows.first).to_contain_text(last)
    page.reload()  # the filter and the order live in the URL: a full load shows the same table
    expect(rows.first).to_contain_text(last)
    page.select_option("#id_cluster", "ocp-west-2")  # filtering keeps the order
    expect(page).to_have_url(
        f"{redis_server}/labs/?q=&cluster=ocp-west-2&catalog_item=&team=&status=&failure_class=&sort=-namespace"
    )
    west = LabInstance.objects.filter(cluster__name="ocp-west-2").order_by("-namespace").first()
    assert west is not None
    expect(rows.first).to_contain_text(west.namespace)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(SCREENSHOTS / "labs-table.png"))


def test_it_updates_open_dashboards_through_redis(page: Page, redis_server: str) -> None:
    target = LabInstance.objects.filter(status="ready").order_by("namespace").first()
    assert target is not None
    open_live(page, redis_server, "/")
    detail = page.context.new_page()
    open_live(detail, redis_server, f"/labs/{target.pk}/", logged_in=True)
    failed_before = LabInstance.objects.filter(status="failed").count()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(SCREENSHOTS / "fleet-overview.png"))

    fail_in_thread(target.namespace)

    expect(page.locator("#count-failed strong")).to_have_text(str(failed_before + 1), timeout=2000)
    expect(page.locator("#recent-changes li").first).to_contain_text(target.namespace)
    expect(detail.locator(f"#lab-{target.pk}-status")).to_contain_text("Failed", timeout=2000)
    expect(detail.locator(f"#lab-{target.pk}-status")).to_contain_text("crashloop")
    expect(detail.locator(f"#lab-{target.pk}-timeline li").first).to_contain_text("Failed")
    expect(detail.locator(f"#lab-{target.pk}-actions")).to_contain_text("restart-pod")
    assert page.evaluate("() => window.notReloaded") is True
    assert detail.evaluate("() => window.notReloaded") is True
    detail.set_viewport_size({"width": 1366, "height": 768})
    detail.screenshot(path=str(SCREENSHOTS / "lab-detail.png"))


def test_it_updates_an_open_labs_table_in_the_embedded_mode(
    page: Page, embedded_server: tuple[str, dict[str, str]]
) -> None:
    url, env = embedded_server
    namespace = "sandbox-1000x-ocp4-gitops"
    open_live(page, url, "/labs/?cluster=ocp-east-1")
    row = page.locator("#lab-table tbody tr", has_text=namespace)
    expect(row).to_contain_text("Ready")

    # A separate process, as a django-q2 worker is: its in-memory layer is not the server's.
    run_manage(env, "-m", "dashboard.tests.live_driver", "fail", namespace)

    expect(row).to_contain_text("Failed", timeout=2000)
    expect(row).to_contain_text("crashloop")
    assert page.evaluate("() => window.notReloaded") is True


def test_it_sends_anonymous_visitors_to_login_and_refuses_their_sockets(
    page: Page, redis_server: str
) -> None:
    page.goto(f"{redis_server}/labs/")
    expect(page).to_have_url(f"{redis_server}/accounts/login/?next=/labs/")
    outcome = page.evaluate(
        """(url) => new Promise((resolve) => {
            const ws = new WebSocket(url);
            ws.onopen = () => resolve("open");
            ws.onclose = () => resolve("closed");
        })""",
        redis_server.replace("http", "ws") + "/ws/dashboard/",
    )
    assert outcome == "closed"


def test_it_keeps_ages_counting_on_an_open_page(page: Page, redis_server: str) -> None:
    log_in(page, redis_server, "/labs/")
    since = page.locator("#lab-table tbody tr time[data-age]").first
    three_hours_ago = "new Date(Date.now() - 3 * 3600 * 1000 - 5000).toISOString()"
    since.evaluate(f"(el) => el.setAttribute('datetime', {three_hours_ago})")
    page.evaluate("() => window.stargateAges()")  # what its 10-second timer runs
    expect(since).to_have_text("3h ago")


def test_it_shows_a_scan_run_end_in_an_open_fleet_overview(page: Page, redis_server: str) -> None:
    from labs.models import Cluster
    from stargate import realtime

    open_live(page, redis_server, "/")
    cluster = Cluster.objects.order_by("name").first()
    assert cluster is not None
    row = page.locator(f"#cluster-{cluster.pk}")
    expect(row).to_contain_text("yes")

    def scan_run_found_it_unreachable() -> None:
        Cluster.objects.filter(pk=cluster.pk).update(reachable=False, last_error="timed out")
        realtime.publish(realtime.FLEET, [])  # what a scan run's end delivers after its commit
        connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(scan_run_found_it_unreachable).result()
    expect(row).to_contain_text("no", timeout=2000)
    assert page.evaluate("() => window.notReloaded") is True
