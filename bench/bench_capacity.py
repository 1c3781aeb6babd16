"""Capacity benchmark: a simulated fleet scanned on its schedules by a django-q2 cluster.

    STARGATE_DATABASE_URL=postgres://.../sg_capacity python bench/bench_capacity.py \
        --clusters 10 --namespaces 500 --workers 2 --minutes 8 --speed 5

A child process serves the generated fleet (`--clusters` x `--namespaces` lab namespaces, the
simulator's own generator) on loopback. The parent uses its own PostgreSQL database (created
when missing; its clusters, scan runs and queued tasks are emptied first), registers the
simulated clusters, gives them the default tier intervals divided by `--speed` (at least one
minute each), writes their schedules (`setup_schedules`), then starts `manage.py qcluster` with
`--workers` workers (broker: Redis when STARGATE_REDIS_URL is set, else the ORM) and lets it run
for `--minutes`. Then it stops the q2 cluster (SIGTERM, then SIGKILL of the process group it
started) and the simulator, and prints per cluster its tier-3 scans and its worst tier-3
freshness: the oldest the cluster's evidence got, from the start of the scan that collected it to
the end of the next one (or the end of the run); and per tier, the mean scan time per cluster and
the worker time the run asked for, with the capacity model's figures.

On a machine with fewer cores than workers plus the simulator, the runs measure contention;
per-core costs come from `--workers 1`.
"""

from __future__ import annotations

import argparse
import itertools
import math
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from statistics import mean
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stargate.settings")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INTERVALS = {1: 5, 2: 5, 3: 15, 4: 60}  # minutes: the Cluster model's defaults


def serve(clusters: int, namespaces: int, directory: str, conn: Any) -> None:
    """Child process: generate and serve the fleet, report it, wait to be stopped."""
    import django

    django.setup()
    from simulator.fleet import fleet_simulator
    from simulator.generator import FleetSpec, generate_fleet
    from simulator.registry import control_file_write

    fleet = generate_fleet(FleetSpec(clusters=clusters, namespaces=namespaces))
    sim = fleet_simulator(fleet, directory=Path(directory))
    try:
        # Where the workers' showroom probes find the simulated showroom pages.
        control_file_write(sim=sim, directory=Path(directory) / "simulator")
        conn.send(
            {
                "clusters": {name: str(sim.kubeconfig_path(name)) for name in sim.clusters},
                "urls": {name: sim.url(name) for name in sim.clusters},
                "ca": str(sim.ca_path or ""),
            }
        )
        conn.recv()
    finally:
        sim.stop()


def register(served: dict[str, Any], speed: float) -> list[Any]:
    from incidents.models import Cursor, Event, FailureRecord, Incident
    from labs.models import Cluster
    from scanning.models import ScanRun

    intervals = {t: max(1, round(m / speed)) for t, m in DEFAULT_INTERVALS.items()}
    # The incident pipeline's state of an earlier run names labs deleted below: emptied too.
    for model in (Incident, Event, FailureRecord, Cursor):
        model.objects.all().delete()
    Cluster.objects.all().delete()
    ScanRun.objects.all().delete()
    rows = []
    for name, kubeconfig in served["clusters"].items():
        rows.append(
            Cluster.objects.create(
                name=name,
                api_url=served["urls"][name],
                kubeconfig_path=kubeconfig,
                ca_bundle_path=served["ca"],
                verify_tls=bool(served["ca"]),
                simulated=True,
                insecure_lab=True,
                **{f"tier{t}_interval": m for t, m in intervals.items()},
            )
        )
    print("tier intervals (min): " + ", ".join(f"tier {t}: {m}" for t, m in intervals.items()))
    return rows


def queue_empty() -> None:
    from django_q.models import OrmQ, Schedule, Task

    Schedule.objects.all().delete()
    Task.objects.all().delete()
    OrmQ.objects.all().delete()
    if os.environ.get("STARGATE_REDIS_URL"):
        from django_q.brokers import get_broker

        get_broker().purge_queue()


def qcluster_start(workers: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "STARGATE_WORKERS": str(workers)}
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole below
        )


def qcluster_stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def worst_freshness(runs: list[Any], end: datetime) -> timedelta | None:
    """The oldest the evidence got: from the start of a tier-3 (or 4) scan to the end of the
    next one, or to `end` for the last one. None: no scan finished."""
    done = sorted((r for r in runs if r.finished_at), key=lambda r: r.finished_at)
    if not done:
        return None
    ages = [b.finished_at - a.started_at for a, b in itertools.pairwise(done)]
    worst: timedelta = max([*ages, end - done[-1].started_at])
    return worst


def report(
    clusters: list[Any], started: datetime, ended: datetime, namespaces: int, workers: int
) -> None:
    from scanning.models import ScanRun

    print(f"\nrun: {(ended - started).total_seconds() / 60:.1f} min")
    print("cluster | tier-3/4 scans | first (s) | steady mean / max (s) | worst tier-3 freshness")
    steady_costs: list[float] = []
    for cluster in clusters:
        runs = list(
            ScanRun.objects.filter(
                cluster=cluster, tier__in=[3, 4], status=ScanRun.Status.SUCCEEDED
            ).order_by("started_at")
        )
        durations = [r.duration_ms / 1000 for r in runs if r.duration_ms is not None]
        steady = durations[1:]
        steady_costs += steady
        fresh = worst_freshness(runs, ended)
        first = f"{durations[0]:.1f}" if durations else "-"
        steady_text = f"{mean(steady):.1f} / {max(steady):.1f}" if steady else "-"
        fresh_text = f"{fresh.total_seconds() / 60:.1f} min" if fresh else "never scanned"
        print(f"{cluster.name} | {len(runs)} | {first} | {steady_text} | {fresh_text}")
    print("\ntier | scans | failed | mean s per scan | worker-minutes used")
    busy, per_scan = 0.0, {}
    for tier in (1, 2, 3, 4):
        of_tier = ScanRun.objects.filter(cluster__in=clusters, tier=tier)
        ok = [r.duration_ms / 1000 for r in of_tier if r.status == "succeeded" and r.duration_ms]
        failed = of_tier.exclude(status="succeeded").count()
        busy += sum(ok)
        per_scan[tier] = mean(ok) if ok else 0.0
        print(f"{tier} | {len(ok)} | {failed} | {per_scan[tier]:.1f} | {sum(ok) / 60:.1f}")
    for run in ScanRun.objects.filter(cluster__in=clusters).exclude(status="succeeded")[:5]:
        print(f"  not succeeded: {run} {run.error_kind} {str(run.errors)[:160]}")
    minutes = (ended - started).total_seconds() / 60
    print(f"workers busy on average: {busy / 60 / minutes:.2f} of {workers}")
    if not steady_costs:
        return
    per_1000 = mean(steady_costs) / namespaces * 1000
    print(f"steady tier-3 scan: {per_1000:.1f} s per 1,000 namespaces (with this run's workers)")
    # The model, on the default tiers: per cluster and hour, 12 tier-1 and 12 tier-2 scans
    # (every 5 min), 4 tier-3 (every 15 min) and 1 tier-4 scan (tier 3 and the pools).
    per_hour = 12 * per_scan[1] + 12 * per_scan[2] + 4 * mean(steady_costs) + per_scan[4]
    needed = per_hour / 3600 * len(clusters)
    print(
        f"default tiers: {per_hour / 3600:.3f} worker per cluster of {namespaces} namespaces; "
        f"{needed:.2f} busy workers for this fleet, {math.ceil(needed / 0.7)} at 70 % load"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clusters", type=int, default=10)
    parser.add_argument("--namespaces", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--minutes", type=float, default=8)
    parser.add_argument("--speed", type=float, default=5, help="default intervals / speed")
    args = parser.parse_args()

    # Stopped from outside (timeout, Ctrl-C): still stop the q2 cluster and the simulator.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    directory = tempfile.mkdtemp(prefix="sg-capacity-")
    # The simulator's kubeconfigs are the credentials; the data dir holds its control file.
    os.environ["STARGATE_CREDENTIALS_DIR"] = directory
    os.environ["STARGATE_DATA_DIR"] = directory
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("fork").Process(
        target=serve, args=(args.clusters, args.namespaces, directory, child)
    )
    began = time.perf_counter()
    server.start()
    process: subprocess.Popen[bytes] | None = None
    try:
        served = parent.recv()
        print(
            f"simulated fleet: {args.clusters} clusters x {args.namespaces} namespaces, "
            f"ready in {time.perf_counter() - began:.0f} s"
        )
        import django
        from benchdb import ensure_database

        ensure_database(os.environ["STARGATE_DATABASE_URL"])
        django.setup()
        from django.core.management import call_command
        from django.utils import timezone

        call_command("migrate", verbosity=0)
        queue_empty()
        clusters = register(served, args.speed)
        call_command("setup_schedules")
        log = Path(directory) / "qcluster.log"
        started = timezone.now()
        process = qcluster_start(args.workers, log)
        broker = "Redis" if os.environ.get("STARGATE_REDIS_URL") else "ORM"
        print(f"q2 cluster: {args.workers} workers, {broker} broker, for {args.minutes} min")
        time.sleep(args.minutes * 60)
        ended = timezone.now()
        qcluster_stop(process)
        report(clusters, started, ended, args.namespaces, args.workers)
    finally:
        if process is not None:
            qcluster_stop(process)
        parent.send("stop")
        server.join(timeout=60)
        if server.is_alive():
            server.kill()


if __name__ == "__main__":
    main()
