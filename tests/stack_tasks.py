"""Tasks the process tests queue to the workers: the real scan, plus which process ran it."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def scan_reporting_pid(cluster_id: int, tier: int) -> str:
    """`scanning.tasks.scan_cluster`, after writing this worker's pid where the test finds it
    (so it can kill the worker mid-scan), and returning it (so it sees which worker scanned)."""
    from scanning.tasks import scan_cluster

    pids = Path(settings.DATA_DIR) / "scan-pids"
    pids.mkdir(parents=True, exist_ok=True)
    (pids / f"{cluster_id}-{tier}").write_text(str(os.getpid()))
    return f"{os.getpid()} {scan_cluster(cluster_id, tier)}"
