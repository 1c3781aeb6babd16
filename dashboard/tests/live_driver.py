"""Fleet data for browser tests and screenshots, usable in-process or as a separate process.

    python -m dashboard.tests.live_driver seed        # users, clusters, labs, nodes, scan runs
    python -m dashboard.tests.live_driver fail NS     # a worker-like process failing one lab

Run as a process it acts like a django-q2 worker: its broadcasts must reach the web process.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta
from typing import Any

PASSWORD = "correct-horse-battery-staple"
CATALOG = ("ocp4-gitops", "rhoai-workshop", "ansible-intro", "virt-roadshow")
FAILURES = ("image-pull", "pvc-pending", "showroom-down", "vm-not-running")


def seed(labs_per_cluster: int = 14) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from labs.models import Cluster, Lab, LabInstance, Status, Team
    from scanning.models import NodeSnapshot, ScanRun

    now = timezone.now()
    get_user_model().objects.create_superuser("admin", "admin@example.com", PASSWORD)
    team = Team.objects.create(name="workshops")
    labs = [Lab.objects.create(catalog_item=item, team=team) for item in CATALOG]
    statuses = [Status.READY] * 6 + [Status.PROGRESSING, Status.WARN, Status.FAILED, Status.STALE]
    for c, name in enumerate(("ocp-east-1", "ocp-west-2", "ocp-lab-3")):
        cluster = Cluster.objects.create(
            name=name,
            api_url=f"https://api.{name}.example.com:6443",
            reachable=c != 2,
            last_seen_at=now - timedelta(seconds=40 + 300 * c),
            api_latency_ms=30.0 + c,
            last_error="" if c != 2 else "connect timeout",
        )
        for n in range(3):
            NodeSnapshot.objects.create(
                cluster=cluster,
                name=f"worker-{n}",
                ready=n != 2 or c == 0,
                cpu_allocatable_millicores=16000,
                cpu_used_millicores=4000 + 3000 * n,
                memory_allocatable_bytes=64 << 30,
                memory_used_bytes=(20 + 10 * n) << 30,
                collected_at=now,
            )
        for tier in (1, 2, 3):
            ScanRun.objects.create(
                cluster=cluster,
                tier=tier,
                status="succeeded",
                started_at=now - timedelta(minutes=tier * 2),
                finished_at=now - timedelta(minutes=tier * 2 - 1),
                duration_ms=800.0 * tier,
                objects_read=120 * tier,
            )
        for i in range(labs_per_cluster):
            status = statuses[(i + c) % len(statuses)]
            guid = f"{name[-1]}{i:03d}x"
            lab = labs[i % len(labs)]
            failure = FAILURES[i % len(FAILURES)] if status == Status.FAILED else ""
            LabInstance.objects.create(
                cluster=cluster,
                lab=lab,
                namespace=f"sandbox-{guid}-{lab.catalog_item}",
                guid=guid,
                status=status,
                failure_class=failure,
                status_changed_at=now - timedelta(minutes=i * 7 + c),
                last_evaluated_at=now,
            )

    evaluate_seeded(now)


def healthy_evidence() -> Any:
    from rubrics_app.tests.builders import deployment, evidence, pod

    return evidence(deployments=[deployment()], pods=[pod("web-1")])


def crashing_evidence() -> Any:
    from rubrics_app.tests.builders import deployment, evidence, pod

    return evidence(
        deployments=[deployment(available=0)], pods=[pod("web-1", waiting="CrashLoopBackOff")]
    )


def evaluate_seeded(now: Any) -> None:
    """Real verdicts for the seeded ready and failed labs, from the rubric engine."""
    from labs.models import LabInstance, Status
    from rubrics_app.services import lab_instances_evaluate

    for status, make in ((Status.READY, healthy_evidence), (Status.FAILED, crashing_evidence)):
        labs = list(LabInstance.objects.filter(status=status).select_related("lab", "cluster"))
        lab_instances_evaluate(items=[(lab, make()) for lab in labs], now=now)


def fail(namespace: str) -> None:
    """A lab's pod starts crash-looping: the rubric engine records it (and broadcasts)."""
    from django.utils import timezone

    from labs.models import LabInstance
    from rubrics_app.services import lab_instance_evaluate

    instance = LabInstance.objects.select_related("lab", "cluster").get(namespace=namespace)
    lab_instance_evaluate(lab_instance=instance, evidence=crashing_evidence(), now=timezone.now())


def flip_loop(namespace: str) -> None:
    """For each line on stdin, flip the lab between crash-looping and healthy; print the commit
    time (ms since the epoch). The benchmark's embedded-mode worker."""
    import time

    from django.db import transaction
    from django.utils import timezone

    from labs.models import LabInstance
    from rubrics_app.services import lab_instance_evaluate

    instance = LabInstance.objects.select_related("lab", "cluster").get(namespace=namespace)
    for n, _ in enumerate(sys.stdin):
        committed: list[float] = []
        evidence = crashing_evidence() if n % 2 == 0 else healthy_evidence()
        with transaction.atomic():
            transaction.on_commit(lambda c=committed: c.append(time.time() * 1000))
            lab_instance_evaluate(lab_instance=instance, evidence=evidence, now=timezone.now())
        print(committed[0], flush=True)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stargate.settings")
    import django

    django.setup()
    command, *args = sys.argv[1:]
    {"seed": seed, "fail": fail, "flip_loop": flip_loop}[command](*args)
