from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from labs.models import Cluster, Lab, LabInstance
from rubrics_app.models import StateChange
from scanning.models import LabEvidence, NodeSnapshot


def cluster(name: str = "east") -> Cluster:
    found, _ = Cluster.objects.get_or_create(name=name, defaults={"api_url": "https://127.0.0.1:1"})
    return found


def lab_instance(
    namespace: str, *, cluster_name: str = "east", item: str = "ocp-workshop", node: str = ""
) -> LabInstance:
    lab, _ = Lab.objects.get_or_create(catalog_item=item)
    row = LabInstance.objects.create(
        cluster=cluster(cluster_name),
        namespace=namespace,
        lab=lab,
        last_evaluated_at=timezone.now(),
    )
    if node:
        pods = [{"metadata": {"name": "web"}, "spec": {"nodeName": node}}]
        now = timezone.now()
        LabEvidence.objects.create(
            lab_instance=row,
            evidence={"objects": {"pods": pods}},
            content_hash="x",
            collected_at=now,
            changed_at=now,
        )
    return row


def change(
    instance: LabInstance,
    to: str,
    cls: str = "",
    *,
    at: datetime | None = None,
    rubric: str = "deployment-ready",
    before: str = "",
) -> StateChange:
    return StateChange.objects.create(
        lab_instance=instance,
        rubric_id=rubric,
        from_status=before,
        to_status=to,
        failure_class=cls,
        reason=f"{to} {cls}",
        at=at or timezone.now(),
    )


def node(cluster_row: Cluster, name: str, *, ready: bool) -> NodeSnapshot:
    return NodeSnapshot.objects.create(
        cluster=cluster_row, name=name, ready=ready, collected_at=timezone.now()
    )


def kwargs(**values: Any) -> dict[str, Any]:
    return values
