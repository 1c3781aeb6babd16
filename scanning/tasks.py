"""django-q2 entry points: thin, take ids."""

from __future__ import annotations

from labs.models import Cluster
from scanning import services


def scan_cluster(cluster_id: int, tier: int, force: bool = False) -> str:
    """Scan one cluster at one tier (`force`: even in backoff). Returns a one-line summary,
    shown in the admin."""
    cluster = Cluster.objects.get(pk=cluster_id)
    run = services.scan_run_execute(cluster=cluster, tier=tier, force=force)
    return f"{cluster.name}: {run.summary}"
