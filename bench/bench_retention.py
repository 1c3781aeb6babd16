"""Retention benchmark: how fast the pruned tables grow, and their size at the default retention.
Prints figures, asserts nothing.

    STARGATE_DATABASE_URL=postgres://.../stargate_bench python bench/bench_retention.py \
        [--namespaces 200] [--cycles 8] [--churn 0.02] [--fleet-labs 2000] [--fleet-clusters 8]

A simulated cluster of N lab namespaces (the generated fleet, 15 % failing) is served on loopback
and scanned for real into PostgreSQL. Each cycle stands for 15 minutes at the default scan
intervals (tiers 1 and 2 every 5 minutes: three scans each; tier 3 every 15: one; tier 4 every
60: one in four cycles). Before each cycle `--churn` of the labs change state (a healthy lab
breaks, a broken one heals). After a warm-up scan of every tier (each lab's first evidence, which
is not growth), the rows each table gains per cycle and its bytes per row
(`pg_total_relation_size` / rows: heap, TOAST and indexes) are measured and extrapolated to a
day (96 cycles) of a `--fleet-labs` fleet on `--fleet-clusters` clusters, then to the default
retention of each kind.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stargate.settings")

CYCLES_PER_DAY = 96  # 15-minute cycles
# kind: (table, grows per lab (True) or per cluster (False))
TABLES = {
    "evidence_revisions": ("scanning_evidencerevision", True),
    "state_changes": ("rubrics_app_statechange", True),
    "scan_runs": ("scanning_scanrun", False),
    "node_snapshots": ("scanning_nodesnapshot", False),
    "live_events": ("labs_liveevent", True),
}


def table_stats() -> dict[str, tuple[int, float]]:
    """{kind: (rows, bytes per row)}. Bytes per row: the stored row (`pg_column_size`, compressed
    TOAST included) + 28 bytes of tuple header and line pointer + 20 per index entry; the whole
    relation size over the row count would be page overhead on tables this small."""
    from django.db import connection

    stats = {}
    with connection.cursor() as cursor:
        for kind, (table, _) in TABLES.items():
            cursor.execute(f"SELECT count(*), coalesce(avg(pg_column_size(t.*)), 0) FROM {table} t")  # noqa: S608
            rows, row_bytes = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [table])
            (indexes,) = cursor.fetchone()
            stats[kind] = (int(rows), float(row_bytes) + 28 + 20 * int(indexes))
    return stats


def churn(sim: object, cluster: str, rng: random.Random, fraction: float) -> int:
    from simulator.failures import LAB_FAILURES

    labs = [lab.namespace for lab in sim.fleet.labs]  # type: ignore[attr-defined]
    picked = rng.sample(labs, max(1, round(fraction * len(labs)))) if fraction else []
    for namespace in picked:
        if namespace in churn.broken:  # type: ignore[attr-defined]
            sim.heal_lab(cluster, namespace)  # type: ignore[attr-defined]
            churn.broken.discard(namespace)  # type: ignore[attr-defined]
        else:
            for failure in rng.sample(sorted(LAB_FAILURES), len(LAB_FAILURES)):
                try:  # some failures need what this lab lacks (VMs, a DataVolume)
                    sim.break_lab(cluster, namespace, failure)  # type: ignore[attr-defined]
                    break
                except (AssertionError, IndexError, KeyError):
                    continue
            churn.broken.add(namespace)  # type: ignore[attr-defined]
    return len(picked)


churn.broken = set()  # type: ignore[attr-defined]


def scan(cluster: object, tier: int) -> None:
    from scanning.models import ScanRun
    from scanning.services import scan_run_execute

    run = scan_run_execute(cluster=cluster, tier=tier, force=True)  # type: ignore[arg-type]
    assert run.status == ScanRun.Status.SUCCEEDED, run.errors


def cycle_scans(cluster: object, index: int) -> None:
    for _ in range(3):
        scan(cluster, 1)
        scan(cluster, 2)
    scan(cluster, 3)
    if index % 4 == 0:
        scan(cluster, 4)


def report(
    before: dict[str, tuple[int, float]],
    after: dict[str, tuple[int, float]],
    args: argparse.Namespace,
) -> None:
    from stargate.retention import RETENTIONS

    days = {r.kind: r.days() for r in RETENTIONS}
    scale_labs = args.fleet_labs / args.namespaces
    print(
        f"\nper day, {args.fleet_labs} labs on {args.fleet_clusters} clusters, "
        f"churn {args.churn:.0%} per 15 min:"
    )
    print(
        f"{'kind':20} {'rows/cycle':>10} {'B/row':>7} {'rows/day':>11} {'MiB/day':>8} "
        f"{'days':>5} {'MiB kept':>9}"
    )
    total = 0.0
    for kind, (_, per_lab) in TABLES.items():
        rows_added = (after[kind][0] - before[kind][0]) / args.cycles
        rows, per_row = after[kind]
        scale = scale_labs if per_lab else args.fleet_clusters
        per_day = rows_added * CYCLES_PER_DAY * scale
        mib_day = per_day * per_row / 2**20
        if kind == "node_snapshots":  # one row per node, replaced in place: no growth
            kept = rows * per_row * args.fleet_clusters / 2**20
        else:
            kept = mib_day * days[kind]
        total += kept
        print(
            f"{kind:20} {rows_added:10.1f} {per_row:7.0f} {per_day:11.0f} {mib_day:8.1f} "
            f"{days[kind]:5d} {kept:9.1f}"
        )
    print(f"{'total at the default retention':>60} {total:9.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--namespaces", type=int, default=200)
    parser.add_argument("--cycles", type=int, default=8)
    parser.add_argument("--churn", type=float, default=0.02)
    parser.add_argument("--fleet-labs", type=int, default=2000)
    parser.add_argument("--fleet-clusters", type=int, default=8)
    args = parser.parse_args()

    import django
    from benchdb import ensure_database

    ensure_database(os.environ["STARGATE_DATABASE_URL"])
    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from labs.models import Cluster
    from simulator.fleet import fleet_simulator
    from simulator.generator import FleetSpec, generate_fleet
    from simulator.registry import control_file_write, simulator_dir

    call_command("migrate", verbosity=0)
    directory = Path(tempfile.mkdtemp(prefix="bench-retention-"))
    settings.DATA_DIR = directory
    fleet = generate_fleet(
        FleetSpec(clusters=1, namespaces=args.namespaces, failure_rate=0.15, seed=11)
    )
    name = fleet.clusters[0]
    sim = fleet_simulator(fleet, directory=directory / "sim")
    control_file_write(sim=sim, directory=simulator_dir())
    Cluster.objects.filter(name=name).delete()
    cluster = Cluster.objects.create(
        name=name,
        api_url=sim.url(name),
        kubeconfig_path=str(sim.kubeconfig_path(name)),
        labels={"simulated": "true"},
        simulated=True,
        insecure_lab=True,
    )
    rng = random.Random(5)
    try:
        started = time.perf_counter()
        for tier in (1, 2, 3, 4):
            scan(cluster, tier)
        before = table_stats()
        for index in range(args.cycles):
            churn(sim, name, rng, args.churn)
            cycle_scans(cluster, index)
        after = table_stats()
        print(
            f"{args.namespaces} namespaces, {args.cycles} cycles "
            f"in {time.perf_counter() - started:.0f} s"
        )
        report(before, after, args)
    finally:
        Cluster.objects.filter(name=name).delete()
        sim.stop()


if __name__ == "__main__":
    main()
