"""`make run` as a newcomer meets it: `manage.py serve` in a subprocess, embedded mode, a
temporary data directory, the demo fleet, the remediation pass every minute.

Within 10 minutes the demo shows the whole loop: a low-risk fix executed and verified (the
effectiveness page counts it recovered) and a higher-risk one waiting in the approval queue.
`serve` prints one line of what it loaded, then the URL and the login only once the server
answers; it stops every process it started (django-q2's workers too) when it alone gets SIGINT
or SIGTERM, as from a supervisor, `timeout` or `kill PID`, without a traceback.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.stack import free_port, wait_until

pytest.importorskip("simulator.seams", reason="the demo needs the simulator package")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DEMO_DEADLINE = 600.0  # seconds from `serve`'s start: "within 10 minutes of make run"
LOGIN = re.compile(r"Log in as 'admin' with password '([^']+)'")


@dataclass
class Demo:
    process: subprocess.Popen[bytes]
    url: str
    log: Path
    started: float

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def password(self) -> str:
        found = LOGIN.search(self.output())
        assert found, self.output()[-3000:]
        return found.group(1)


def serve_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STARGATE_", "DJANGO_"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "stargate.settings",
        "STARGATE_DATA_DIR": str(data_dir),  # embedded: SQLite there, no Redis
        "STARGATE_REMEDIATION_PASS_MINUTES": "1",
        "STARGATE_WORKERS": "2",
    }


def serve_start(tmp_path: Path) -> Demo:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(port)],
            cwd=settings.BASE_DIR,
            env=serve_env(tmp_path / "data"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    demo = Demo(process, f"http://127.0.0.1:{port}", log, time.monotonic())
    try:
        wait_until(lambda: "Press Ctrl-C" in demo.output() or process.poll(), 180, "serve")
    except AssertionError:
        process.kill()
        raise
    assert process.poll() is None, demo.output()[-3000:]
    return demo


def descendants(pid: int) -> set[int]:
    """Every live process below `pid`, through /proc (children of children too)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def serve_stop(demo: Demo, signum: int) -> set[int]:
    """Signal `serve`'s own pid only; return the processes it had started that still run."""
    children = descendants(demo.process.pid)
    demo.process.send_signal(signum)
    try:
        demo.process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        demo.process.kill()
    wait_until(lambda: not any(alive(pid) for pid in children), 15, "the children", every=0.5)
    return {pid for pid in children if alive(pid)}


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    demo = serve_start(tmp_path)
    yield demo
    if demo.process.poll() is None:
        for pid in descendants(demo.process.pid):
            os.kill(pid, signal.SIGKILL)
        demo.process.kill()


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2):
            return True
    except OSError:
        return False


def log_in(page: Page, demo: Demo) -> None:
    page.goto(f"{demo.url}/accounts/login/?next=/")
    page.fill("#id_login", "admin")
    page.fill("#id_password", demo.password())
    page.click("#local-login")
    expect(page).to_have_url(f"{demo.url}/")


def recovered_rows(page: Page, demo: Demo) -> list[str]:
    """Effectiveness rows whose "Recovered" column counts a verified recovery ("1 / 1")."""
    page.goto(f"{demo.url}/remediation/effectiveness/")
    cells = page.locator("#effectiveness-table tbody tr td:nth-child(6)").all_inner_texts()
    return [cell for cell in cells if re.fullmatch(r"[1-9]\d* / \d+", cell.strip())]


def test_the_demo_fixes_a_lab_and_queues_a_riskier_fix_within_ten_minutes(
    page: Page, demo: Demo
) -> None:
    out = demo.output()
    assert answers(demo.url)  # the URL is printed once the server answers
    assert re.search(r"Database migrated, (\d+ catalog changes applied|catalog unchanged)", out)
    assert "+ restart-pod" not in out  # no line per catalog change
    assert out.count("failures of") == 1  # the fleet's mix, in one line
    log_in(page, demo)

    def verified() -> list[str]:
        assert time.monotonic() - demo.started < DEMO_DEADLINE, demo.output()[-3000:]
        return recovered_rows(page, demo)

    wait_until(verified, DEMO_DEADLINE, "an executed and verified action", every=10)
    page.goto(f"{demo.url}/remediation/approvals/")
    pending = page.locator("#approval-rows tr.approval-pending")
    expect(pending.first).to_be_visible()
    expect(pending.first.get_by_role("button", name="Approve")).to_be_visible()
    assert time.monotonic() - demo.started < DEMO_DEADLINE

    left = serve_stop(demo, signal.SIGINT)
    assert left == set()
    assert demo.process.returncode == 0
    assert "Traceback" not in demo.output()
    assert not answers(demo.url)


def test_sigterm_to_serve_alone_stops_every_process_it_started(tmp_path: Path) -> None:
    demo = serve_start(tmp_path)
    # the web server, django-q2's processes, the demo fleet and the watcher
    wait_until(lambda: len(descendants(demo.process.pid)) >= 8, 60, "every child")

    left = serve_stop(demo, signal.SIGTERM)

    assert left == set()
    assert demo.process.returncode == 0
    assert "StarGate stopped." in demo.output()
    assert "Traceback" not in demo.output()
    assert not answers(demo.url)
