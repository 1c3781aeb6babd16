"""`manage.py serve`: the README's run command. Migrates, prepares demo data, starts the web
server and the workers, prints the URL and the login, and stops them all on Ctrl-C."""

from __future__ import annotations

import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from stargate.seams import DemoFleet, demo_fleet

DEMO_ADMIN = "admin"
FLEET_START_TIMEOUT = 120.0  # seconds
FIRST_SCAN_TIERS = (1, 3)  # nodes, then every lab's evidence and verdicts


class Command(BaseCommand):
    help = "Run StarGate: migrate, demo data, web server and workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-demo", action="store_true", help="No demo admin, no simulated fleet."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        settings.DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        call_command("load_catalog", verbosity=0)
        call_command("setup_schedules")
        call_command("setup_remediation_schedules", verbosity=0)
        call_command("setup_incident_schedules", verbosity=0)
        call_command("setup_retention_schedule", verbosity=0)
        call_command("setup_dashboard_schedules", verbosity=0)
        password = None if options["no_demo"] else ensure_demo_admin()
        fleet = None if options["no_demo"] else demo_fleet()
        if fleet is not None:
            fleet.ready_file.unlink(missing_ok=True)  # left by a run that was killed
        processes = self._start(options["host"], options["port"], fleet=fleet)
        self._announce(options["host"], options["port"], password)
        if fleet is not None:
            self._first_scans(processes[-1], fleet.ready_file)
        elif not options["no_demo"]:
            self.stdout.write("No demo fleet (STARGATE_DEMO_FLEET is empty).")
        watch = [sys.executable, "manage.py", "watch_clusters"]
        processes.append(subprocess.Popen(watch, cwd=settings.BASE_DIR))  # noqa: S603
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
        call_command("setup_schedules")
        count = first_scans_enqueue()
        self.stdout.write(f"First scans of {count} simulated clusters queued.")

    def _start(
        self, host: str, port: int, *, fleet: DemoFleet | None
    ) -> list[subprocess.Popen[bytes]]:
        python = sys.executable
        commands = [
            [python, "-m", "daphne", "-b", host, "-p", str(port), "stargate.asgi:application"],
            [python, "manage.py", "qcluster"],
        ]
        commands.extend(demo_commands(python, fleet))
        return [subprocess.Popen(command, cwd=settings.BASE_DIR) for command in commands]  # noqa: S603

    def _announce(self, host: str, port: int, password: str | None) -> None:
        self.stdout.write(self.style.SUCCESS(f"\nStarGate is running at http://{host}:{port}/"))
        if password:
            self.stdout.write(f"Log in as {DEMO_ADMIN!r} with password {password!r}")
            self.stdout.write("(shown this once; reset it with: manage.py changepassword admin)")
        else:
            self.stdout.write(
                f"Log in as {DEMO_ADMIN!r} with the password printed on the first run."
            )
        self.stdout.write("Press Ctrl-C to stop.\n")

    def _supervise(self, processes: list[subprocess.Popen[bytes]]) -> None:
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(p.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        failed = [p.args for p in processes if p.returncode not in (0, -signal.SIGTERM, None)]
        if failed and not stopping:
            self.stderr.write(f"A process stopped unexpectedly: {failed[0]!r}")


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
