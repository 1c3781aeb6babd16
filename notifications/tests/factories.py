from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from incidents.models import Incident
from incidents.signals import incident_changed_on_commit
from labs.models import Cluster, Lab, LabInstance, Team
from notifications.models import Channel, Route

ROUTING_KEY = "R0123456789abcdef0123456789abcde"  # 32 characters, as PagerDuty's


def channel(name: str, kind: str, url: str = "", **fields: Any) -> Channel:
    routes = fields.pop("routes", [{}])
    row = Channel.objects.create(name=name, kind=kind, url=url, **fields)
    for route in routes:
        Route.objects.create(channel=row, **route)
    return row


def member_lab(
    cluster_name: str = "east", item: str = "ocp-workshop", team: Team | None = None
) -> LabInstance:
    found, _ = Cluster.objects.get_or_create(
        name=cluster_name, defaults={"api_url": "https://127.0.0.1:1"}
    )
    lab, _ = Lab.objects.get_or_create(catalog_item=item, defaults={"team": team})
    n = LabInstance.objects.count() + 1
    return LabInstance.objects.create(cluster=found, lab=lab, namespace=f"sandbox-n{n}-{item}")


def incident(
    title: str = "Node worker-1 on east", severity: str = "high", **fields: Any
) -> Incident:
    """An open incident with one member lab (`members`), told as opened."""
    members: list[LabInstance] = fields.pop("members", None) or [member_lab()]
    now = timezone.now()
    with transaction.atomic():
        row = Incident.objects.create(
            kind=Incident.Kind.NODE,
            key=f"node:{title}",
            title=title,
            severity=severity,
            cluster=members[0].cluster,
            opened_at=now,
            updated_at=now,
            **fields,
        )
        for lab_instance in members:
            row.members.create(lab_instance=lab_instance, joined_at=now)
        incident_changed_on_commit(row.pk, "opened")
    return row


def change(row: Incident, change: str, **fields: Any) -> None:
    """Change the incident as its services do: the row, then the seam, in one transaction."""
    with transaction.atomic():
        for name, value in fields.items():
            setattr(row, name, value)
        row.updated_at = timezone.now()
        row.save()
        incident_changed_on_commit(row.pk, change)
