"""The four scan tiers. Each reads the cluster, then records; cluster faults propagate as
`ClusterAccessError` to `services.scan_run_execute`, which marks the cluster."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from kubernetes.client import ApiClient

from labs.models import STATUS_SEVERITY, Cluster, LabInstance, Status
from scanning import kinds
from scanning.assemble import (
    NamespaceRead,
    labs_evidence_assemble,
    stored_cluster_health,
    stored_showroom_failures,
)
from scanning.client import api_latency_ms, list_all, list_pages
from scanning.collect import (
    Collected,
    evidence_collect,
    gc_paused,
    namespaces_collect,
    optional_list,
)
from scanning.digest import pod_failing, pods_digest
from scanning.evaluate import evidence_evaluate
from scanning.labmap import LabNamespaceFilter, lab_instances_map, lab_name_of, lab_namespaces
from scanning.models import LabEvidence, NodeSnapshot, ResourcePoolSnapshot, ScanRun
from scanning.nodes import NodeFacts, nodes_facts
from scanning.normalize import object_normalize
from scanning.persist import evidence_store
from scanning.showroom import ingress_domain_learn
from stargate.lib.evidence import ClusterHealth, KubeObject

BATCH = 50  # labs evaluated and stored per transaction: bounds the evidence held as dicts
# A page read in the same phase as the last progress written is written only this long after it
# (a page takes milliseconds; each write is a commit): a new phase is always written.
PROGRESS_EVERY = 1.0  # seconds
TIER2_MAX_NAMESPACES = 100  # beyond this, tier 3 catches up
# Tier 2 reads a changed namespace's other kinds one GET per kind, unless more than one in
# TIER2_PER_NAMESPACE_SHARE of the cluster's namespaces changed (a cluster's first sight: no
# digests stored yet): then one cluster-wide list per kind costs less than those thousands of
# GETs (measured: 100 namespaces of a 500-namespace cluster, 16 s one by one, a third of that
# cluster-wide).
TIER2_PER_NAMESPACE_SHARE = 20


@dataclass
class ScanContext:
    run: ScanRun
    cluster: Cluster
    api: ApiClient
    now: datetime
    on_progress: Callable[[ScanRun], None] | None = field(default=None)
    _written: float = field(default=0.0, init=False)

    def progress(self, phase: str, *, steps: int = 1, objects: int = 0) -> None:
        run = self.run
        same_phase = phase == run.phase
        run.phase, run.steps_done = phase, run.steps_done + steps
        run.steps_total = max(run.steps_total, run.steps_done)
        run.objects_read += objects
        if self.on_progress is not None:
            self.on_progress(run)
        if same_phase and time.monotonic() - self._written < PROGRESS_EVERY:
            return  # `services._finish` writes the counters in the end
        self._written = time.monotonic()
        ScanRun.objects.filter(pk=run.pk).update(
            phase=phase,
            steps_done=run.steps_done,
            steps_total=run.steps_total,
            objects_read=run.objects_read,
            namespaces_seen=run.namespaces_seen,
            namespaces_evaluated=run.namespaces_evaluated,
        )

    def plan(self, steps: int) -> None:
        self.run.steps_total = self.run.steps_done + steps
        ScanRun.objects.filter(pk=self.run.pk).update(steps_total=self.run.steps_total)


# --- tier 1: nodes, metrics, API latency -------------------------------------------------------


def tier1(ctx: ScanContext) -> None:
    latency = api_latency_ms(ctx.api)
    ingress_domain_learn(cluster=ctx.cluster, api=ctx.api)
    nodes = list_all(ctx.api, kinds.NODES.path())
    metrics = optional_list(ctx.api, kinds.NODE_METRICS)
    facts = nodes_facts(nodes, metrics, settings.NODE_HARDWARE_LABEL)
    _nodes_store(ctx.cluster, facts, ctx.now)
    Cluster.objects.filter(pk=ctx.cluster.pk).update(api_latency_ms=latency)
    ctx.progress("nodes", objects=len(nodes) + len(metrics))


def _nodes_store(cluster: Cluster, facts: list[NodeFacts], now: datetime) -> None:
    rows = [
        NodeSnapshot(
            cluster=cluster,
            name=f.name,
            ready=f.ready,
            unschedulable=f.unschedulable,
            pressure=list(f.pressure),
            cpu_allocatable_millicores=f.cpu_allocatable_millicores,
            cpu_used_millicores=f.cpu_used_millicores,
            memory_allocatable_bytes=f.memory_allocatable_bytes,
            memory_used_bytes=f.memory_used_bytes,
            hardware_class=f.hardware_class,
            collected_at=now,
        )
        for f in facts
    ]
    with transaction.atomic():
        NodeSnapshot.objects.filter(cluster=cluster).exclude(
            name__in=[f.name for f in facts]
        ).delete()
        NodeSnapshot.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["cluster", "name"],
            update_fields=[
                "ready",
                "unschedulable",
                "pressure",
                "cpu_allocatable_millicores",
                "cpu_used_millicores",
                "memory_allocatable_bytes",
                "memory_used_bytes",
                "hardware_class",
                "collected_at",
            ],
        )


# --- tier 2: all pods, compared with the last scan --------------------------------------------


def tier2(ctx: ScanContext) -> None:
    listed = namespaces_collect(ctx.api)
    pods = _lab_pods(ctx)
    digests = dict(
        LabEvidence.objects.filter(
            lab_instance__cluster=ctx.cluster, lab_instance__deleted_at__isnull=True
        ).values_list("lab_instance__namespace", "pods_digest")
    )
    # A namespace gone from the cluster is tier 4's to sweep, not to be brought back here.
    namespaces = (set(pods) | set(digests)) & set(listed)
    changed = [ns for ns in namespaces if pods_digest(pods.get(ns, [])) != digests.get(ns)]
    changed.sort(key=lambda ns: (not any(pod_failing(p) for p in pods.get(ns, [])), ns))
    changed = changed[:TIER2_MAX_NAMESPACES]
    ctx.run.namespaces_seen = len(namespaces)
    if not changed:
        ctx.progress("no pod changed")
        return
    resources = [r for r in kinds.EVIDENCE_RESOURCES if r.key != "pods"]
    per_namespace = len(changed) * TIER2_PER_NAMESPACE_SHARE <= len(listed)
    ctx.plan(len(resources) * (len(changed) if per_namespace else 1) + 1)
    collected = evidence_collect(
        ctx.api,
        set(changed),
        resources=resources,
        per_namespace=per_namespace,
        progress=lambda key, count: ctx.progress(f"reading {key}", objects=count),
    )
    for namespace in changed:
        collected.add("pods", namespace, pods.get(namespace, []))
    _evidence_record(ctx, listed, collected, changed)


def namespaces_refresh(ctx: ScanContext, changed: Collection[str]) -> None:
    """Tier 2's second half for namespaces a watch saw change: full evidence, evaluated now."""
    listed = namespaces_collect(ctx.api)
    wanted = sorted(ns for ns in changed if ns in listed and lab_name_of(ns) is not None)
    ctx.run.namespaces_seen = len(wanted)
    if not wanted:
        ctx.progress("nothing to refresh")
        return
    ctx.plan(len(kinds.EVIDENCE_RESOURCES) * len(wanted) + 1)
    collected = evidence_collect(
        ctx.api,
        set(wanted),
        per_namespace=True,
        progress=lambda key, count: ctx.progress(f"reading {key}", objects=count),
    )
    _evidence_record(ctx, listed, collected, wanted)


def _lab_pods(ctx: ScanContext) -> dict[str, list[KubeObject]]:
    """Normalized pods of lab namespaces, from one cluster-wide paged list."""
    is_lab: dict[str, bool] = {}
    pods: dict[str, list[KubeObject]] = {}
    for page in list_pages(ctx.api, kinds.PODS.path(), read_ahead=True):
        for raw in page:
            namespace = str(raw.get("metadata", {}).get("namespace", ""))
            if namespace not in is_lab:
                is_lab[namespace] = lab_name_of(namespace) is not None
            if is_lab[namespace]:
                pods.setdefault(namespace, []).append(object_normalize("pods", raw))
        ctx.progress("reading pods", objects=len(page))
        del page  # freed before the next page is read (`list_pages`)
    return pods


# --- tier 3: full evidence; tier 4: sweep -----------------------------------------------------


def tier3(ctx: ScanContext) -> tuple[dict[str, KubeObject], set[str]]:
    """Returns the cluster's namespaces and the lab namespaces AnarchySubjects point at."""
    namespaces = namespaces_collect(ctx.api)
    labs = LabNamespaceFilter()
    lab_count = sum(1 for ns in namespaces if ns in labs)
    ctx.plan(len(kinds.EVIDENCE_RESOURCES) + lab_count // BATCH + 2)
    ctx.progress("reading namespaces", objects=len(namespaces))
    collected = evidence_collect(
        ctx.api, labs, progress=lambda key, count: ctx.progress(f"reading {key}", objects=count)
    )
    ctx.run.namespaces_seen = len(labs.lab_names())
    # Known labs whose namespace is gone are evaluated too (run-created: namespace-missing)
    # until tier 4 marks them deleted.
    live = LabInstance.objects.filter(cluster=ctx.cluster, deleted_at__isnull=True)
    wanted = set(labs.lab_names()) | set(live.values_list("namespace", flat=True))
    linked = collected.namespaces_of("anarchysubjects")
    _evidence_record(ctx, namespaces, collected, sorted(wanted))
    return namespaces, linked


def tier4(ctx: ScanContext) -> None:
    namespaces, linked = tier3(ctx)
    pools = optional_list(ctx.api, kinds.RESOURCE_POOLS)
    _pools_store(ctx.cluster, pools, ctx.now)
    # Torn down: the namespace is gone and no AnarchySubject points at it any more. A lab whose
    # namespace vanished under a live subject stays, FAILED on run-created (namespace-missing).
    gone = LabInstance.objects.filter(cluster=ctx.cluster, deleted_at__isnull=True).exclude(
        namespace__in=list(namespaces) + sorted(linked)
    )
    gone.update(deleted_at=ctx.now)
    ctx.progress("sweep", objects=len(pools))


def _pools_store(cluster: Cluster, pools: list[KubeObject], now: datetime) -> None:
    rows = []
    for raw in pools:
        pool = object_normalize("resourcepools", raw)
        rows.append(
            ResourcePoolSnapshot(
                cluster=cluster,
                namespace=pool["metadata"].get("namespace", ""),
                name=pool["metadata"]["name"],
                min_available=pool.get("spec", {}).get("minAvailable"),
                handle_count=pool.get("status", {}).get("resourceHandleCount") or {},
                collected_at=now,
            )
        )
    with transaction.atomic():
        ResourcePoolSnapshot.objects.filter(cluster=cluster).delete()
        ResourcePoolSnapshot.objects.bulk_create(rows)


# --- recording ---------------------------------------------------------------------------------


def _evidence_record(
    ctx: ScanContext, namespaces: dict[str, KubeObject], collected: Collected, wanted: list[str]
) -> None:
    """Map namespaces to labs, assemble their evidence, evaluate and store it, failing labs
    first."""
    # A lab tier 4 swept stays deleted until its namespace is back on the cluster.
    swept = LabInstance.objects.filter(
        cluster=ctx.cluster,
        namespace__in=[ns for ns in wanted if ns not in namespaces],
        deleted_at__isnull=False,
    ).values_list("namespace", flat=True)
    instances = lab_instances_map(
        cluster=ctx.cluster, lab_names=lab_namespaces(set(wanted) - set(swept))
    )
    health = stored_cluster_health(ctx.cluster)
    order = sorted(
        instances.values(),
        key=lambda li: (-STATUS_SEVERITY.get(Status(li.status), 0), li.namespace),
    )
    failures = stored_showroom_failures(order)
    with gc_paused():
        _batches_record(ctx, namespaces, collected, order, health, failures)


def _batches_record(
    ctx: ScanContext,
    namespaces: dict[str, KubeObject],
    collected: Collected,
    order: list[LabInstance],
    health: ClusterHealth | None,
    failures: dict[str, int],
) -> None:
    for start in range(0, len(order), BATCH):
        if start:
            # The previous batch's cyclic garbage (query and expression trees): automatic
            # collections are paused, and a first scan makes thousands of them per batch.
            gc.collect(1)
        reads = [
            NamespaceRead(li, namespaces.get(li.namespace), collected.objects_of(li.namespace))
            for li in order[start : start + BATCH]
        ]
        batch = labs_evidence_assemble(
            cluster=ctx.cluster,
            reads=reads,
            collected_at=ctx.now,
            health=health,
            showroom_failures=failures,
        )
        with transaction.atomic():
            ctx.run.namespaces_evaluated += evidence_evaluate(items=batch, now=ctx.now)
            evidence_store(items=batch, now=ctx.now)
        ctx.progress(f"recorded {min(start + BATCH, len(order))} of {len(order)} labs")
