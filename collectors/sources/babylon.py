"""Babylon and Poolboy on the hub clusters (platform-contracts 4), through the `kubernetes` client.

Hubs are the clusters marked `is_hub`; when none is marked, each enabled cluster is its own hub
(as in the simulator). Per hub, one paged list per kind: ResourcePools, ResourceHandles,
ResourceClaims, AnarchySubjects, CatalogItems, Workshops, MultiWorkshops, and the Sandbox API
deployment. Every cycle writes one `PoolSnapshot` per pool, a `ProvisionRecord` per subject,
the `BabylonCatalogItem`s, and the identity of each lab (`LabIdentity`: GUID → handle/claim →
catalog item, 3.2; with the lab mappings of 3.3 refreshed first), which re-points a lab instance to the catalog item its claim names.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import QuerySet

from collectors.conf import SourceSettings, event_prefix
from collectors.http import SourceError, obj, seq
from collectors.identity import identities_resolve
from collectors.mappings import claim_mappings_refresh, labagator_mappings_refresh
from collectors.models import BabylonCatalogItem, PoolSnapshot, ProvisionRecord
from collectors.runner import Collected, mask
from labs.models import Cluster, Lab
from scanning.client import ClusterAccessError, api_client_for, get_raw, list_all
from stargate.lib.evidence import KubeObject

POOLBOY = "/apis/poolboy.gpte.redhat.com/v1"
ANARCHY = "/apis/anarchy.gpte.redhat.com/v1"
BABYLON = "/apis/babylon.gpte.redhat.com/v1"
POOL_LABEL = "poolboy.gpte.redhat.com/resource-pool-name"
CLAIM_PREFIX = "poolboy.gpte.redhat.com/resource-claim-"
CATALOG_LABEL = "babylon.gpte.redhat.com/catalogItemName"
CATALOG_NS_LABEL = "babylon.gpte.redhat.com/catalogItemNamespace"
CLOUD_LABEL = "cloud-provider.demo.redhat.com/"
HANDLE = re.compile(r"^guid-([a-z0-9]+(?:-\d+)?)$")
DESTROY_STATES = ("destroying", "destroy-failed", "destroy-error")
LOW_POOLS_WARNING = 10
CYCLE_LIMIT = 150.0  # seconds: hubs not started by then wait for the next cycle
PROVISION_DATA_KEYS = (
    "guid",
    "cloud_provider",
    "openshift_console_url",
    "openshift_api_url",
    "openshift_cluster_console_url",
    "openshift_api_server_url",
    "lab_ui_url",
)
ERROR_KINDS = {
    "unauthorized": "auth",
    "malformed": "parse",
    "refused": "connection",
    "tls": "connection",
    "server_error": "http_500",
    "not_found": "http_404",
}


@dataclass
class HubRead:
    cluster: Cluster
    pools: list[KubeObject] = field(default_factory=list)
    handles: list[KubeObject] = field(default_factory=list)
    claims: list[KubeObject] = field(default_factory=list)
    subjects: list[KubeObject] = field(default_factory=list)
    catalog_items: list[KubeObject] = field(default_factory=list)
    workshops: list[KubeObject] = field(default_factory=list)
    multiworkshops: int = 0
    sandbox_api: KubeObject | None = None


def hubs() -> QuerySet[Cluster]:
    marked = Cluster.objects.filter(enabled=True, is_hub=True)
    return marked if marked.exists() else Cluster.objects.filter(enabled=True)


def collect(source: SourceSettings, now: datetime) -> Collected:
    pool_ns = str(source.option("pool_namespace", "poolboy"))
    reads: list[HubRead] = []
    errors: dict[str, str] = {}
    first: SourceError | None = None
    clusters = list(hubs())
    deadline = time.monotonic() + float(source.option("cycle_limit_seconds", CYCLE_LIMIT))
    for index, cluster in enumerate(clusters):
        if index and time.monotonic() > deadline:  # the cycle is abandoned; the next one reads it
            errors[cluster.name] = "not read: the cycle ran past its time limit"
            continue
        try:
            reads.append(_read(cluster, pool_ns))
        except SourceError as exc:
            errors[cluster.name] = mask(str(exc))
            first = first or exc
    if first is not None and not reads:
        raise first
    with transaction.atomic():
        pools = [
            _pool_store(read.cluster, pool, read.handles, now)
            for read in reads
            for pool in read.pools
        ]
        records = [r for read in reads for r in _records_store(read, now)]
        for read in reads:
            _catalog_store(read, now)
        claims = [c for read in reads for c in read.claims]
        mappings = {
            "guid": claim_mappings_refresh(claims, now),
            "labagator": labagator_mappings_refresh(now),
        }
        identities = identities_resolve(
            [h for read in reads for h in read.handles],
            claims,
            now,
        )
    summary = {
        "pools": _pool_summary(pools, now),
        "provisioning": _provisioning_summary(records),
        "catalog": dict(
            Counter(
                str(obj(i.get("metadata")).get("namespace"))
                for read in reads
                for i in read.catalog_items
            )
        ),
        "workshops": sum(len(read.workshops) for read in reads),
        "multiworkshops": sum(read.multiworkshops for read in reads),
        "workshop_names": sorted(
            {str(obj(w.get("metadata")).get("name")) for read in reads for w in read.workshops}
        ),
        "sandbox_api_replicas": _replicas(reads),
        "identities": identities,
        "mappings": mappings,
        "hub_errors": errors,
    }
    return Collected(items=len(pools) + len(records), summary=summary)


def _read(cluster: Cluster, pool_ns: str) -> HubRead:
    try:
        api = api_client_for(cluster)
        with api:
            read = HubRead(cluster)
            read.pools = list_all(api, f"{POOLBOY}/namespaces/{pool_ns}/resourcepools")
            read.handles = list_all(api, f"{POOLBOY}/namespaces/{pool_ns}/resourcehandles")
            read.claims = list_all(api, f"{POOLBOY}/resourceclaims")
            read.subjects = list_all(api, f"{ANARCHY}/anarchysubjects")
            read.catalog_items = [
                item
                for item in _optional(api, f"{BABYLON}/catalogitems")
                if str(obj(item.get("metadata")).get("namespace", "")).startswith(
                    "babylon-catalog-"
                )
            ]
            read.workshops = _optional(api, f"{BABYLON}/workshops")
            read.multiworkshops = len(_optional(api, f"{BABYLON}/multiworkshops"))
            read.sandbox_api = _optional_get(
                api, "/apis/apps/v1/namespaces/babylon-sandbox-api/deployments/sandbox-api"
            )
            return read
    except ClusterAccessError as exc:
        kind = ERROR_KINDS.get(exc.kind, exc.kind)
        raise SourceError(kind, f"{cluster.name}: {exc}") from exc


def _optional(api: Any, path: str) -> list[KubeObject]:
    """A kind the hub may not serve (its CRD not installed): empty rather than a failure."""
    try:
        return list_all(api, path)
    except ClusterAccessError as exc:
        if exc.kind == "not_found":
            return []
        raise


def _optional_get(api: Any, path: str) -> KubeObject | None:
    try:
        found = get_raw(api, path)
    except ClusterAccessError as exc:
        if exc.kind == "not_found":
            return None
        raise
    return found if isinstance(found, dict) else None


def _pool_store(
    hub: Cluster, pool: KubeObject, handles: list[KubeObject], now: datetime
) -> PoolSnapshot:
    meta, spec, status = obj(pool.get("metadata")), obj(pool.get("spec")), obj(pool.get("status"))
    name = str(meta.get("name", ""))
    counts = obj(status.get("resourceHandleCount"))
    unclaimed = [h for h in seq(status.get("resourceHandles")) if isinstance(h, dict)]
    labels = obj(meta.get("labels"))
    cloud = next((k.removeprefix(CLOUD_LABEL) for k in labels if k.startswith(CLOUD_LABEL)), "")
    provider = next(
        (
            obj(r.get("provider")).get("name")
            for r in seq(spec.get("resources"))
            if isinstance(r, dict)
        ),
        "",
    )
    taken = sum(
        1
        for h in handles
        if obj(obj(h.get("metadata")).get("labels")).get(POOL_LABEL) == name
        and obj(h.get("spec")).get("resourceClaim")
    )
    prefix = event_prefix()
    return PoolSnapshot.objects.create(
        pool_name=name[:253],
        hub=hub,
        taken_at=now,
        available=_int(counts.get("available")),
        ready=_int(counts.get("ready", sum(1 for h in unclaimed if h.get("ready")))),
        healthy=sum(1 for h in unclaimed if h.get("healthy")),
        min_available=_int(spec.get("minAvailable")),
        max_unready=_int(spec.get("maxUnready")) if spec.get("maxUnready") is not None else None,
        total_handles=len(unclaimed),
        taken=taken,
        catalog_item=str(provider or "")[:253],
        cloud=cloud[:63],
        is_event=bool(prefix) and prefix in name,
    )


def _records_store(read: HubRead, now: datetime) -> list[ProvisionRecord]:
    handles = {str(obj(h.get("metadata")).get("name")): h for h in read.handles}
    claims = {
        (str(obj(c.get("metadata")).get("namespace")), str(obj(c.get("metadata")).get("name"))): c
        for c in read.claims
    }
    clusters = list(Cluster.objects.all())
    labs = {lab.catalog_item: lab for lab in Lab.objects.all()}
    records = []
    for subject in read.subjects:
        fields = subject_fields(subject, handles, claims)
        workload = _workload_cluster(
            clusters, fields.pop("api_url"), fields["workload_cluster_name"]
        )
        short = (
            fields["catalog_item"].split(".")[1] if fields["catalog_item"].count(".") >= 2 else ""
        )
        record, _ = ProvisionRecord.objects.update_or_create(
            hub=read.cluster,
            namespace=fields.pop("namespace"),
            name=fields.pop("name"),
            defaults={
                **fields,
                "workload_cluster": workload,
                "lab": labs.get(short),
                "seen_at": now,
            },
        )
        records.append(record)
    ProvisionRecord.objects.filter(hub=read.cluster, seen_at__lt=now).delete()
    return records


def subject_fields(
    subject: KubeObject,
    handles: dict[str, KubeObject],
    claims: dict[tuple[str, str], KubeObject],
) -> dict[str, Any]:
    """One AnarchySubject's record fields, joined to its handle and claim (4.5)."""
    meta, spec, status = (obj(subject.get(k)) for k in ("metadata", "spec", "status"))
    labels, notes = obj(meta.get("labels")), obj(meta.get("annotations"))
    variables = obj(spec.get("vars"))
    job_vars = obj(variables.get("job_vars"))
    state = str(
        variables.get("current_state") or status.get("state") or labels.get("state") or "unknown"
    )
    handle_name = str(notes.get("poolboy.gpte.redhat.com/resource-handle-name") or "")
    claim_key = (
        str(notes.get(f"{CLAIM_PREFIX}namespace") or ""),
        str(notes.get(f"{CLAIM_PREFIX}name") or ""),
    )
    handle, claim = obj(handles.get(handle_name)), obj(claims.get(claim_key))
    claim_labels = obj(obj(claim.get("metadata")).get("labels"))
    summary = obj(obj(claim.get("status")).get("summary")) or obj(
        obj(handle.get("status")).get("summary")
    )
    governor = str(spec.get("governor") or labels.get("anarchy.gpte.redhat.com/governor") or "")
    tower = obj(status.get("towerJobs"))
    job = obj(tower.get("provision")) or obj(tower.get("start"))
    last_job = next(
        (obj(tower.get(a)) for a in ("destroy", "provision", "start", "stop") if tower.get(a)), {}
    )
    provision_data = {
        k: v for k, v in obj(variables.get("provision_data")).items() if k in PROVISION_DATA_KEYS
    }
    guid = str(job_vars.get("guid") or "")
    if not guid and (match := HANDLE.match(handle_name)):
        guid = match.group(1).split("-")[0]
    return {
        "name": str(meta.get("name", ""))[:253],
        "namespace": str(meta.get("namespace", ""))[:63],
        "governor": governor[:253],
        "guid": guid[:63],
        "service_uuid": str(job_vars.get("uuid") or "")[:63],
        "catalog_item": str(claim_labels.get(CATALOG_LABEL) or governor)[:253],
        "catalog_namespace": str(claim_labels.get(CATALOG_NS_LABEL) or "")[:63],
        "claim_name": claim_key[1][:253],
        "claim_namespace": claim_key[0][:63],
        "handle_name": handle_name[:253],
        "pool_name": str(obj(obj(handle.get("spec")).get("resourcePool")).get("name") or "")[:253],
        "agnosticv_path": str(obj(summary.get("agnosticv")).get("path") or "")[:300],
        "current_state": state[:40],
        "desired_state": str(variables.get("desired_state") or "")[:40],
        "provision_job_succeeded": job.get("jobStatus") == "successful"
        or job.get("status") == "successful",
        "tower_host": str(last_job.get("towerHost") or "")[:253],
        "tower_job_id": str(last_job.get("deployerJob") or "")[:40],
        "lab_namespace": str(job_vars.get("sandbox_openshift_namespace") or "")[:63],
        "workload_cluster_name": str(job_vars.get("sandbox_openshift_cluster") or "")[:253],
        "api_url": str(job_vars.get("sandbox_openshift_api_url") or ""),
        "state_since": _state_since(state, meta, status) if state in DESTROY_STATES else None,
        "deletion_timestamp": _time(meta.get("deletionTimestamp")),
        "created": _time(meta.get("creationTimestamp")),
        "provision_data": provision_data,
    }


def _state_since(state: str, meta: dict[str, Any], status: dict[str, Any]) -> datetime | None:
    """Age source of a destroy state, first present (5, stuck teardown)."""
    candidates = (
        status.get("lastTransitionTime"),
        obj(obj(status.get("towerJobs")).get("destroy")).get("startTimestamp"),
        obj(obj(status.get("actions")).get("destroy")).get("completeTimestamp"),
        meta.get("deletionTimestamp"),
        meta.get("creationTimestamp"),
    )
    return next((t for t in (_time(c) for c in candidates) if t is not None), None)


def _workload_cluster(clusters: Iterable[Cluster], api_url: str, name: str) -> Cluster | None:
    host = urlsplit(api_url).hostname if api_url else None
    for cluster in clusters:
        if host and urlsplit(cluster.api_url).hostname == host:
            return cluster
    return next((c for c in clusters if name and c.name == name), None)


def _catalog_store(read: HubRead, now: datetime) -> None:
    for item in read.catalog_items:
        meta, spec = obj(item.get("metadata")), obj(item.get("spec"))
        namespace = str(meta.get("namespace", ""))
        description = spec.get("description")
        if isinstance(description, dict):
            description = re.sub(r"<[^>]+>", "", str(description.get("content") or ""))
        BabylonCatalogItem.objects.update_or_create(
            hub=read.cluster,
            namespace=namespace[:63],
            name=str(meta.get("name", ""))[:253],
            defaults={
                "category": namespace.removeprefix("babylon-catalog-")[:63],
                "display_name": str(spec.get("displayName") or meta.get("name") or "")[:253],
                "description": str(description or "")[:200],
                "disabled": bool(spec.get("disabled", False)),
                "provider": str(obj(spec.get("provider")).get("name") or "")[:253],
                "labels": obj(meta.get("labels")),
                "created": _time(meta.get("creationTimestamp")),
                "seen_at": now,
            },
        )
    BabylonCatalogItem.objects.filter(hub=read.cluster, seen_at__lt=now).delete()


def _pool_summary(pools: list[PoolSnapshot], now: datetime) -> dict[str, Any]:
    exhausted = [{"name": p.pool_name, "min": p.min_available} for p in pools if p.exhausted]
    low = [
        {"name": p.pool_name, "available": p.available, "min": p.min_available}
        for p in pools
        if p.low
    ]
    rows = [
        {
            "name": p.pool_name,
            "hub": p.hub.name if p.hub else "",
            "available": p.available,
            "ready": p.ready,
            "min": p.min_available,
            "is_event": p.is_event,
        }
        for p in pools
    ]
    status = "critical" if exhausted else "warning" if len(low) > LOW_POOLS_WARNING else "healthy"
    return {
        "timestamp": now.isoformat(),
        "total_pools": len(pools),
        "exhausted": exhausted,
        "low": low,
        "all_pools": rows,
        "event_pools": [r for r in rows if r["is_event"]],
        "status": status,
    }


def _provisioning_summary(records: list[ProvisionRecord]) -> dict[str, Any]:
    total = len(records)
    failed = sum(1 for r in records if r.failed)
    prefix = event_prefix()
    event = [r for r in records if prefix and (prefix in r.name or prefix in r.governor)]
    return {
        "total": total,
        "started": sum(1 for r in records if r.current_state == "started"),
        "failed": failed,
        "by_state": dict(Counter(r.current_state for r in records)),
        "failure_rate": round(failed / total * 100, 1) if total else 0.0,
        "event": {
            "total": len(event),
            "started": sum(1 for r in event if r.current_state == "started"),
            "failed": sum(1 for r in event if r.failed),
        },
    }


def _replicas(reads: list[HubRead]) -> dict[str, int] | None:
    for read in reads:
        if read.sandbox_api is not None:
            spec, status = obj(read.sandbox_api.get("spec")), obj(read.sandbox_api.get("status"))
            return {
                "desired": _int(spec.get("replicas")),
                "ready": _int(status.get("readyReplicas")),
            }
    return None


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
