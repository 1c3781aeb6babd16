"""Scope contexts for the policy engine (spec 23.2), read from what the collectors, the scanner
and the rubrics stored. Every context carries its facts, its evidence per source and links."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse

from collectors.models import (
    AapJob,
    AapSnapshot,
    ProvisionRecord,
    SandboxMetrics,
    ScheduledLab,
    SmokeTestResult,
)
from collectors.selectors import pool_mappings
from forecasting.scores import lab_provisioned
from forecasting.selectors import CapacityForecast, catalog_scores, pool_for, short_name
from labs.models import Lab, LabInstance
from recommendations.detectors import CleanupReport
from recommendations.engine import Context
from recommendations.substrate import UNKNOWN, ClusterLoad, Routing
from rubrics_app.models import Evaluation

OUTCOME = {"ready": "pass", "failed": "fail", "warn": "warn"}
STAGE_FACTS = {
    "namespace-ready": "namespace_ready",
    "deployment-ready": "deployment_ready",
    "route-ready": "route_ready",
    "showroom-healthy": "showroom_healthy",
    "vm-runtime-ready": "vm_runtime_ready",
    "storage-clone-ready": "storage_clone_ready",
}
WORST = {"fail": 0, "warn": 1, "pass": 2}


def provisioning_link(code: str) -> str:
    return reverse("recommendations:provisioning", args=[code])


def pool_contexts(forecast: CapacityForecast, pool_labs: dict[str, Lab]) -> list[Context]:
    exhausted = sum(p.status == "exhausted" for p in forecast.pools)
    low = sum(p.status == "low" for p in forecast.pools)
    contexts = []
    for pool in forecast.pools:
        lab = pool_labs.get(pool.name)
        link = reverse("forecasting:capacity") + f"#pool-{pool.name}"
        contexts.append(
            Context(
                scope="pool",
                target=pool.name,
                facts=pool.facts(),
                evidence={
                    "poolboy": {
                        "pool": pool.pool_name,
                        "hub": pool.hub,
                        "available": pool.available,
                        "ready": pool.ready,
                        "min": pool.min_required,
                        "status": pool.status,
                        "catalog_item": pool.catalog_item,
                    },
                    "velocity": {
                        **pool.velocity.as_dict(),
                        "recycling_rate": pool.recycling,
                        "exhaustion_hours": pool.eta.hours,
                        "band": [pool.eta.low, pool.eta.high],
                    },
                    "platform": {"exhausted_pools": exhausted, "low_pools": low},
                },
                links={"poolboy": link, "velocity": link},
                team_id=lab.team_id if lab else None,
                lab_id=lab.pk if lab else None,
            )
        )
    return contexts


def cluster_contexts(
    forecast: CapacityForecast,
    cleanup: dict[str, CleanupReport],
    routing: dict[str, tuple[Routing, ClusterLoad]],
) -> list[Context]:
    contexts = []
    for name in sorted(set(forecast.cluster_load) | set(cleanup)):
        figures = forecast.cluster_load.get(name, {})
        cpu = _pct(figures.get("cpu_used", 0), figures.get("cpu_all", 0))
        memory = _pct(figures.get("mem_used", 0), figures.get("mem_all", 0))
        nodes = figures.get("nodes", 0) or 1
        report = cleanup.get(name) or CleanupReport(cluster=name)
        router, load = routing.get(name) or (UNKNOWN, None)
        facts: dict[str, object] = {
            "name": name,
            "avg_cpu": cpu,
            "avg_memory": memory,
            "vms_per_node": round(figures.get("vms", 0) / nodes, 1),
            "hot_nodes": load.hot_nodes if load else 0,
            "routing": router.decision,
            **report.facts(),
        }
        contexts.append(
            Context(
                scope="cluster",
                target=name,
                facts=facts,
                evidence={
                    "scanner": {"avg_cpu": cpu, "avg_memory": memory, "nodes": int(nodes)},
                    "node_metrics": {k: round(v, 1) for k, v in figures.items()},
                    "substrate_router": _router_evidence(router, load),
                    "cleanup": report.evidence(),
                },
                links={
                    "scanner": reverse("forecasting:capacity") + f"#cluster-{name}",
                    "substrate_router": reverse("labs:cluster_detail", args=[name]),
                },
            )
        )
    return contexts


def _router_evidence(router: Routing, load: ClusterLoad | None) -> dict[str, Any]:
    inputs = {}
    if load is not None:
        inputs = {
            "hot_nodes": load.hot_nodes,
            "failed_nodes": load.failed_nodes,
            "crash_loops": load.crash_loops,
            "failing_sandboxes": load.failing_sandboxes,
            "provisioning_blocked": load.provisioning_blocked,
        }
    return {**router.as_dict(), **inputs}


def _pct(used: float, total: float) -> float:
    return round(100 * used / total, 1) if total else 0.0


def platform_context(now: datetime) -> Context | None:
    aap = AapSnapshot.objects.order_by("-captured_at").first()
    sandbox = SandboxMetrics.objects.order_by("-captured_at").first()
    if aap is None and sandbox is None:
        return None
    facts: dict[str, object] = {}
    evidence: dict[str, dict[str, Any]] = {}
    if aap is not None:
        facts |= {
            "provision_total": aap.provision_total,
            "provision_sli": aap.provision_sli,
            "sli_target": aap.sli_target,
            "total_jobs": aap.total_jobs,
            "failed_24h": aap.failed_24h,
            "success_rate": aap.success_rate,
        }
        evidence["aap"] = {**facts, "top_error": aap.top_error}
    if sandbox is not None and sandbox.replicas_desired is not None:
        facts |= {
            "replicas_ready": sandbox.replicas_ready or 0,
            "replicas_desired": sandbox.replicas_desired,
            "api_healthy": sandbox.api_healthy,
            "queue_depth": sandbox.queue_depth,
        }
        evidence["sandbox_api"] = {
            "replicas": f"{sandbox.replicas_ready or 0}/{sandbox.replicas_desired}",
            "api_healthy": sandbox.api_healthy,
            "queue_depth": sandbox.queue_depth,
        }
    return Context("platform", "platform", facts, evidence)


def lab_contexts(
    *, labs: Iterable[Lab], forecast: CapacityForecast, now: datetime
) -> list[Context]:
    """One context per catalog item with sessions, instances or schedule rows (9 queries)."""
    labs = list(labs)
    items = {lab.catalog_item for lab in labs}
    scheduled = {s.lab_id: s for s in ScheduledLab.objects.filter(lab__in=labs)}
    by_item = {lab.catalog_item: lab.pk for lab in labs}
    by_short = {short_name(lab.catalog_item): lab.pk for lab in labs}
    records: dict[int, list[ProvisionRecord]] = defaultdict(list)
    for record in ProvisionRecord.objects.filter(_records_of(labs, items)):
        owner = record.lab_id or by_item.get(record.catalog_item)
        owner = owner or by_short.get(short_name(record.catalog_item))
        if owner:
            records[owner].append(record)
    sessions = defaultdict(list)
    for session in forecast.sessions:
        sessions[session.lab_id].append(session)
    jobs = list(AapJob.objects.filter(status="failed", finished__gte=now - timedelta(hours=24)))
    smoke = defaultdict(list)
    for result in SmokeTestResult.objects.filter(lab__in=labs).order_by("-finished_at"):
        smoke[result.lab_id].append(result)
    scores = catalog_scores(items)
    stages = _stage_outcomes(labs)
    clusters = _lab_clusters(labs)
    pools = {p.name: p for p in forecast.pools}
    pool_items = {p.name: p.catalog_item for p in forecast.pools}
    mappings = pool_mappings()
    contexts = []
    for lab in labs:
        row = scheduled.get(lab.pk)
        code = row.lab_code if row else ""
        mine = sessions.get(lab.pk, [])
        if not (mine or records.get(lab.pk) or row):
            continue
        pool_name = pool_for(lab, code, pool_items, mappings)
        lab_jobs = [j for j in jobs if _job_of(j, lab, code)]
        contexts.append(
            _lab_context(
                lab=lab,
                code=code,
                row=row,
                sessions=mine,
                records=records.get(lab.pk, []),
                pool=pools.get(pool_name) if pool_name else None,
                jobs=lab_jobs,
                smoke=smoke.get(lab.pk, []),
                score=scores.get(lab.catalog_item),
                stages=stages.get(lab.pk, {}),
                cluster_cpu=max(
                    (_cluster_cpu(forecast, c) for c in clusters.get(lab.pk, ())), default=0.0
                ),
                now=now,
            )
        )
    return contexts


def _records_of(labs: list[Lab], items: set[str]) -> Q:
    """Records of these labs: linked, or naming the catalog item in full or by its short name
    (`<account>.<short>.<stage>`); the short-name match is confirmed in Python."""
    query = Q(lab__in=labs) | Q(catalog_item__in=items)
    for short in {short_name(item) for item in items}:
        query |= Q(catalog_item__contains=f".{short}.")
    return query


def _job_of(job: AapJob, lab: Lab, code: str) -> bool:
    """An AAP job's catalog item is the first two dot segments of its name."""
    if code and job.lab_code == code:
        return True
    item = job.catalog_item
    return bool(item) and (
        item == lab.catalog_item
        or lab.catalog_item.startswith(item + ".")
        or item.split(".")[-1] == short_name(lab.catalog_item)
    )


def _cluster_cpu(forecast: CapacityForecast, name: str) -> float:
    figures = forecast.cluster_load.get(name, {})
    return _pct(figures.get("cpu_used", 0), figures.get("cpu_all", 0))


def _stage_outcomes(labs: list[Lab]) -> dict[int, dict[str, Any]]:
    """The worst outcome per stage over each lab's live instances, and whether a VM's guest
    agent is missing (one query)."""
    found: dict[int, dict[str, Any]] = defaultdict(dict)
    rows = Evaluation.objects.filter(
        lab_instance__lab__in=labs,
        lab_instance__deleted_at__isnull=True,
        rubric_id__in=list(STAGE_FACTS),
    ).values_list("lab_instance__lab_id", "rubric_id", "outcome", "failure_class")
    for lab_id, rubric, outcome, failure_class in rows:
        fact, value = STAGE_FACTS[rubric], OUTCOME.get(outcome, "unknown")
        current = found[lab_id].get(fact)
        if current is None or WORST.get(value, 3) < WORST.get(current, 3):
            found[lab_id][fact] = value
        if rubric == "vm-runtime-ready" and failure_class == "guest-agent-missing":
            found[lab_id]["guest_agent_connected"] = False
    return found


def _lab_clusters(labs: list[Lab]) -> dict[int, set[str]]:
    clusters: dict[int, set[str]] = defaultdict(set)
    rows = LabInstance.objects.filter(lab__in=labs, deleted_at__isnull=True).values_list(
        "lab_id", "cluster__name"
    )
    for lab_id, name in rows:
        clusters[lab_id].add(name)
    return clusters


def _smoke_status(results: list[SmokeTestResult]) -> tuple[str, int, SmokeTestResult | None]:
    """Spec 9: the newest session with more than 10 workers, else the newest."""
    if not results:
        return "none", 0, None
    chosen = next((r for r in results if r.worker_count > 10), results[0])
    if chosen.failed > 0 or chosen.passed is False:
        return "fail", chosen.total, chosen
    if chosen.completed > 0 or chosen.passed:
        return "pass", chosen.total, chosen
    return "none", chosen.total, chosen


def _lab_context(
    *,
    lab: Lab,
    code: str,
    row: ScheduledLab | None,
    sessions: list[Any],
    records: list[ProvisionRecord],
    pool: Any,
    jobs: list[AapJob],
    smoke: list[SmokeTestResult],
    score: float | None,
    stages: dict[str, Any],
    cluster_cpu: float,
    now: datetime,
) -> Context:
    started = sum(r.current_state == "started" for r in records)
    failed = [r for r in records if r.failed]
    demolition, total, chosen = _smoke_status(smoke)
    cloud = row.cloud if row else ""
    upcoming = [s for s in sessions if s.starts_at > now]
    provisioned = lab_provisioned(
        started_instances=started,
        has_pool=pool is not None,
        has_smoke_results=bool(smoke),
        cloud=cloud,
    )
    provision_jobs = [j for j in jobs if j.kind == "provision"]
    destroy_jobs = [j for j in jobs if j.kind == "destroy"]
    facts: dict[str, object] = {
        "lab_code": code or lab.catalog_item,
        "sessions": len(sessions),
        "has_event_sessions": any(s.has_start_time for s in sessions),
        "next_session_in_min": (
            round((upcoming[0].starts_at - now).total_seconds() / 60) if upcoming else None
        ),
        "instances_total": len(records),
        "instances_started": started,
        "instances_failed": len(failed),
        "instances_destroying": sum(r.destroying for r in records),
        "provisioned": int(provisioned),
        "capacity": pool.available if pool else 0,
        "has_pool": int(pool is not None),
        "demolition_status": demolition,
        "demolition_total_count": total,
        "aap_provision_failures": len(provision_jobs),
        "aap_destroy_failures": len(destroy_jobs),
        "guest_agent_connected": stages.pop("guest_agent_connected", None),
        **stages,
        "complexity_score": score,
        "cluster_cpu": cluster_cpu,
        "cloud": cloud,
        "deploy_mode": row.deploy_mode if row else "",
        "status": row.status if row else "",
    }
    link = provisioning_link(code or lab.catalog_item)
    evidence: dict[str, dict[str, Any]] = {
        "labagator": {
            "session_count": len(sessions),
            "sessions": [
                {"starts_at": s.starts_at.isoformat(), "room": s.room, "attendees": s.attendees}
                for s in sessions[:5]
            ],
            "status": facts["status"],
        },
        "babylon": {
            "started": started,
            "failed": len(failed),
            "total": len(records),
            "destroying": facts["instances_destroying"],
            "provisioned": provisioned,
            "failed_instances": [
                {"name": r.name, "state": r.current_state, "cluster": r.workload_cluster_name}
                for r in failed[:10]
            ],
        },
        "poolboy": {"pool": pool.name if pool else None, "available": facts["capacity"]},
        "agnosticv": {
            "ci_name": row.ci_name if row else "",
            "cloud": cloud,
            "deploy_mode": facts["deploy_mode"],
            "complexity_score": score,
        },
        "demolition": {
            "status": demolition,
            "total": total,
            "failed": chosen.failed if chosen else 0,
            "completed": chosen.completed if chosen else 0,
        },
        "aap": {
            "provision_failures": len(provision_jobs),
            "destroy_failures": len(destroy_jobs),
            "top_error": (jobs[0].failing_task if jobs else ""),
            "jobs": [j.job_url for j in jobs[:5] if j.job_url],
        },
        "scanner": dict(stages),
        "cluster": {"cluster_cpu": cluster_cpu},
    }
    sources = ("labagator", "babylon", "poolboy", "agnosticv", "demolition", "aap", "scanner")
    return Context(
        "lab",
        code or lab.catalog_item,
        facts,
        evidence,
        dict.fromkeys(sources, link),
        team_id=lab.team_id,
        lab_id=lab.pk,
    )
