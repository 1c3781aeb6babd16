"""The one way a lab namespace's evidence is assembled, whoever reads it.

A namespace's evidence is its normalized objects plus what the scan adds: the cluster's health
(from the last tier-1 snapshot), the lab's catalog context and a real probe of its showroom.
Scans of every tier and watch mode (`tiers._evidence_record`), the post-action verification
(`services.namespaces_rescan`, through the scan itself), the remediation pre-flight and replay
all get their evidence from `labs_evidence_assemble`, so a rubric never judges a lab on less
than a scan would show it: no rubric is skipped (and its verdict pruned) for lack of evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from collectors.selectors import critical_alerts, smoke_results_for
from labs.models import Cluster, LabInstance
from scanning.client import api_client_for
from scanning.collect import evidence_collect, namespaces_collect
from scanning.models import LabEvidence, NodeSnapshot
from scanning.nodes import NodeFacts, cluster_health
from scanning.normalize import evidence_build
from scanning.showroom import showroom_probes
from stargate.lib.evidence import ClusterHealth, KubeObject, LabContext, NamespaceEvidence

Assembled = list[tuple[LabInstance, NamespaceEvidence]]


@dataclass(frozen=True)
class NamespaceRead:
    """What was read from the cluster for one lab: its Namespace (None: gone) and objects."""

    lab_instance: LabInstance
    namespace_object: KubeObject | None
    objects: Mapping[str, list[KubeObject]]


def labs_evidence_assemble(
    *,
    cluster: Cluster,
    reads: Sequence[NamespaceRead],
    collected_at: datetime,
    health: ClusterHealth | None,
    showroom_failures: Mapping[str, int],
) -> Assembled:
    """Each lab's full evidence: objects, cluster health, lab context, showroom probe.
    `showroom_failures` holds each namespace's consecutive failures before this probe."""
    items = [
        (read.lab_instance, _evidence(cluster, read, collected_at.isoformat(), health))
        for read in reads
    ]
    probes = showroom_probes(
        cluster=cluster,
        routes={li.namespace: ev["objects"]["routes"] for li, ev in items},
        failures=showroom_failures,
    )
    smoke = smoke_results_for([lab_instance for lab_instance, _ in items])
    for lab_instance, evidence in items:
        evidence["showroom"] = probes.get(lab_instance.namespace)
        if results := smoke.get(lab_instance.pk):
            evidence["smoke_results"] = results
    return items


def _evidence(
    cluster: Cluster, read: NamespaceRead, collected_at: str, health: ClusterHealth | None
) -> NamespaceEvidence:
    evidence = evidence_build(
        cluster=cluster.name,
        namespace=read.lab_instance.namespace,
        namespace_object=read.namespace_object,
        objects=read.objects,
        collected_at=collected_at,
    )
    evidence["cluster_health"] = health
    evidence["lab"] = lab_context(read.lab_instance)
    return evidence


def lab_context(lab_instance: LabInstance) -> LabContext:
    """What the lab's catalog entry tells the rubrics."""
    return LabContext(
        catalog_item=lab_instance.lab.catalog_item,
        requires_guest_agent=lab_instance.lab.requires_guest_agent,
    )


def stored_cluster_health(cluster: Cluster) -> ClusterHealth | None:
    """The cluster summary from the last tier-1 scan, attached to each namespace's evidence."""
    snapshots = list(NodeSnapshot.objects.filter(cluster=cluster))
    if not snapshots:
        return None
    facts = [
        NodeFacts(
            name=s.name,
            ready=s.ready,
            unschedulable=s.unschedulable,
            pressure=tuple(s.pressure),
            cpu_allocatable_millicores=s.cpu_allocatable_millicores,
            memory_allocatable_bytes=s.memory_allocatable_bytes,
            cpu_used_millicores=s.cpu_used_millicores,
            memory_used_bytes=s.memory_used_bytes,
        )
        for s in snapshots
    ]
    health = cluster_health(facts)
    if alerts := critical_alerts(cluster):  # firing critical alerts (collectors: Alertmanager)
        health["critical_alerts"] = [*health.get("critical_alerts", []), *alerts]
    return health


def stored_showroom_failures(lab_instances: Sequence[LabInstance]) -> dict[str, int]:
    """Consecutive showroom failures of each lab's last probe (only that number is read from
    the stored evidence, not the evidence itself)."""
    rows = LabEvidence.objects.filter(lab_instance__in=lab_instances).values_list(
        "lab_instance__namespace", "evidence__showroom__consecutive_failures"
    )
    return {namespace: int(count or 0) for namespace, count in rows}


def lab_evidence_read(
    *, lab_instance: LabInstance, now: datetime | None = None
) -> NamespaceEvidence:
    """One lab's evidence read from its cluster now, assembled as a scan would, not stored
    (the pre-flight's and the tests' view). Raises `ClusterAccessError` when the cluster fails;
    to re-scan and record a lab, use `services.namespaces_rescan`."""
    cluster = lab_instance.cluster
    with api_client_for(cluster) as api:
        namespaces = namespaces_collect(api)
        collected = evidence_collect(api, {lab_instance.namespace}, per_namespace=True)
    read = NamespaceRead(
        lab_instance,
        namespaces.get(lab_instance.namespace),
        collected.objects_of(lab_instance.namespace),
    )
    ((_, evidence),) = labs_evidence_assemble(
        cluster=cluster,
        reads=[read],
        collected_at=now or timezone.now(),
        health=stored_cluster_health(cluster),
        showroom_failures=stored_showroom_failures([lab_instance]),
    )
    return evidence
