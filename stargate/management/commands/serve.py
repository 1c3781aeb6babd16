"""`manage.py serve`: the README's run command. Migrates, prepares demo data, starts the web
server, the workers, the demo fleet and the watcher, prints the URL and the login once the server
answers, and stops them all on Ctrl-C, SIGINT or SIGTERM (signalled to `serve` alone, too)."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from stargate.seams import DemoFleet, demo_fleet

DEMO_ADMIN = "admin"
FLEET_START_TIMEOUT = 120.0  # seconds
SERVER_START_TIMEOUT = 120.0  # seconds
STOP_TIMEOUT = 10.0  # seconds a process has to stop after SIGTERM, then it is killed
FIRST_SCAN_TIERS = (1, 3)  # nodes, then every lab's evidence and verdicts


class Stop(Exception):
    """SIGTERM or SIGINT reached `serve`: stop every process it started."""


def _stop_signal(signum: int, frame: FrameType | None) -> None:
    raise Stop(signal.Signals(signum).name)


class Command(BaseCommand):
    help = "Run StarGate: migrate, demo data, web server and workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-demo", action="store_true", help="No demo admin, no simulated fleet."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        processes: list[subprocess.Popen[bytes]] = []
        self.fleet_process: subprocess.Popen[bytes] | None = None
        signal.signal(signal.SIGTERM, _stop_signal)
        signal.signal(signal.SIGINT, _stop_signal)
        try:
            self._run(processes, options)
        except Stop:
            pass
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while stopping
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            processes_stop([p for p in processes if p is not self.fleet_process])
            processes_stop([self.fleet_process] if self.fleet_process else [])  # clients first
        self.stdout.write("StarGate stopped.")

    def _run(self, processes: list[subprocess.Popen[bytes]], options: dict[str, Any]) -> None:
        host, port = options["host"], options["port"]
        settings.DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        fleet = None if options["no_demo"] else demo_fleet()
        if fleet is not None:
            for name, value in fleet.environment.items():  # the children inherit them
                os.environ.setdefault(name, value)
            fleet.ready_file.unlink(missing_ok=True)  # left by a run that was killed
        self.stdout.write(prepare())
        password = None if options["no_demo"] else ensure_demo_admin()
        processes.extend(processes_start(host, port, fleet=fleet))
        if fleet is not None:
            self.fleet_process = processes[-1]
            self._first_scans(self.fleet_process, fleet.ready_file)
        elif not options["no_demo"]:
            self.stdout.write("No demo fleet (STARGATE_DEMO_FLEET is empty).")
        watch = [sys.executable, "manage.py", "watch_clusters"]
        processes.append(process_start(watch))
        if not server_wait(host, port, processes[0]):
            self.stderr.write("The web server did not start.")
            return
        self._announce(host, port, password, demo=fleet is not None)
        self._supervise(processes)

    def _first_scans(self, fleet: subprocess.Popen[bytes], ready_file: Path) -> None:
        """Once the simulated fleet has registered its clusters: their schedules, and a first
        scan of each at once, so a new user sees data within a minute, not at the first
        staggered schedule (up to 15 minutes)."""
        deadline = time.monotonic() + FLEET_START_TIMEOUT
        while not ready_file.exists():
            if fleet.poll() is not None or time.monotonic() > deadline:
                self.stderr.write("The simulated fleet did not start; no first scan.")
                return
            time.sleep(0.5)
        call_command("setup_schedules", stdout=StringIO())
        count = first_scans_enqueue()
        self.stdout.write(f"Simulated fleet of {count} clusters up; first scans queued.")

    def _announce(self, host: str, port: int, password: str | None, *, demo: bool) -> None:
        self.stdout.write(self.style.SUCCESS(f"\nStarGate is running at http://{host}:{port}/"))
        if password:
            self.stdout.write(f"Log in as {DEMO_ADMIN!r} with password {password!r}")
            self.stdout.write("(shown this once; reset it with: manage.py changepassword admin)")
        else:
            self.stdout.write(
                f"Log in as {DEMO_ADMIN!r} with the password printed on the first run."
            )
        if demo:
            self.stdout.write(
                "Failed labs show within a minute; low-risk fixes run and are verified within"
                " a few minutes, the others wait at /remediation/approvals/."
            )
        self.stdout.write("Press Ctrl-C to stop.\n")

    def _supervise(self, processes: list[subprocess.Popen[bytes]]) -> None:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        failed = [p.args for p in processes if p.poll() is not None]
        self.stderr.write(f"A process stopped unexpectedly: {failed[0]!r}")


def prepare() -> str:
    """Migrate, collect static files, load the catalog and write the schedules; one line."""
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    catalog = StringIO()
    call_command("load_catalog", stdout=catalog)
    changes = sum(1 for line in catalog.getvalue().splitlines() if line[:2] in {"+ ", "~ ", "- "})
    quiet = StringIO()
    call_command("setup_schedules", stdout=quiet)
    call_command("setup_remediation_schedules", stdout=quiet)
    call_command("setup_incident_schedules", stdout=quiet)
    call_command("setup_recommendation_schedules", stdout=quiet)
    call_command("setup_retention_schedule", stdout=quiet)
    call_command("setup_dashboard_schedules", stdout=quiet)
    call_command("setup_collector_schedules", stdout=quiet)
    loaded = f"{changes} catalog changes applied" if changes else "catalog unchanged"
    return f"Database migrated, {loaded}, schedules set."


def process_start(command: list[str]) -> subprocess.Popen[bytes]:
    """A child in a process group of its own: `serve` alone decides when it stops, and stops
    what it started in turn (django-q2's workers, too)."""
    return subprocess.Popen(command, cwd=settings.BASE_DIR, start_new_session=True)  # noqa: S603


def processes_start(
    host: str, port: int, *, fleet: DemoFleet | None
) -> list[subprocess.Popen[bytes]]:
    python = sys.executable
    commands = [
        [python, "-m", "daphne", "-b", host, "-p", str(port), "stargate.asgi:application"],
        [python, "manage.py", "qcluster"],
        *demo_commands(python, fleet),
    ]
    return [process_start(command) for command in commands]


def processes_stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each; each group's leftovers are killed once its leader stopped or
    STOP_TIMEOUT passed."""
    for process in processes:
        _signal_group(process, signal.SIGTERM, leader_only=True)
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        _signal_group(process, signal.SIGKILL, leader_only=False)
        process.wait()


def _signal_group(process: subprocess.Popen[bytes], signum: int, *, leader_only: bool) -> None:
    try:
        if leader_only:
            if process.poll() is None:
                process.send_signal(signum)
        else:
            os.killpg(process.pid, signum)  # its group id is its pid (start_new_session)
    except ProcessLookupError:
        pass


def server_wait(host: str, port: int, server: subprocess.Popen[bytes]) -> bool:
    """True once the web server answers its health check; False if it stopped or never did."""
    address = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104
    url = f"http://{address}:{port}/healthz"
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while server.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # it answers
        except OSError:
            time.sleep(0.3)
    return False


def ensure_demo_admin() -> str | None:
    """Create the demo admin with a random password; return the password only when created."""
    user_model = get_user_model()
    if user_model.objects.filter(username=DEMO_ADMIN).exists():
        return None
    password = secrets.token_urlsafe(12)
    user_model.objects.create_superuser(DEMO_ADMIN, "admin@example.com", password)
    return password


def demo_commands(python: str, fleet: DemoFleet | None) -> list[list[str]]:
    """Extra processes for the demo: the configured demo fleet (`STARGATE_DEMO_FLEET`), if any."""
    return [] if fleet is None else [[python, "manage.py", *fleet.command]]


def first_scans_enqueue() -> int:
    """Queue tiers 1 and 3 of every enabled simulated cluster for the workers, forced: a
    previous run's schedules may have failed against the fleet before it was up."""
    from django_q.tasks import async_task

    from labs.models import Cluster
    from scanning.schedules import TASK

    clusters = [c for c in Cluster.objects.filter(enabled=True) if c.labels.get("simulated")]
    for cluster in clusters:
        for tier in FIRST_SCAN_TIERS:
            async_task(TASK, cluster_id=cluster.pk, tier=tier, force=True)
    return len(clusters)
