"""Reads for the recommendation and provisioning pages, team-scoped."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from collectors.models import (
    AapJob,
    CatalogDefinition,
    ConstraintViolation,
    PoolSnapshot,
    ProvisionRecord,
    ScheduledLab,
    SmokeTestResult,
)
from collectors.selectors import mapped_pool_snapshot
from forecasting.models import Session
from forecasting.scores import lab_provisioned, pool_status
from labs.models import Lab
from labs.selectors import Audience, visible_labs
from recommendations.engine import next_action
from recommendations.models import Recommendation


def visible_recommendations(audience: Audience) -> QuerySet[Recommendation]:
    """Everything for operators; a team sees its labs' and pools' recommendations (cluster and
    platform ones have no team: operators only)."""
    rows = Recommendation.objects.all()
    if not audience.everything:
        rows = rows.filter(team_id__in=sorted(audience.team_ids))
    return rows


def recommendation_list(
    audience: Audience,
    *,
    status: str = "open",
    urgency: str = "",
    scope: str = "",
    rule: str = "",
    lab: str = "",
) -> list[Recommendation]:
    rows = visible_recommendations(audience).select_related("action_request")
    if status in Recommendation.Status.values:
        rows = rows.filter(status=status)
    filters = (("urgency", urgency), ("scope", scope), ("rule", rule), ("lab__catalog_item", lab))
    for field, value in filters:
        if value:
            rows = rows.filter(**{field: value})
    return sorted(rows[:500], key=lambda r: (r.urgency_rank, -r.confidence, r.key))


@dataclass
class Provisioning:
    code: str
    lab: Lab
    scheduled: ScheduledLab | None
    sessions: list[Session]
    pool: PoolSnapshot | None
    pool_status: str
    aap_failures: list[AapJob]
    smoke: list[SmokeTestResult]
    definition: CatalogDefinition | None
    violations: list[ConstraintViolation]
    instances: dict[str, int]
    next_action: tuple[str, str]


def _lab_for(audience: Audience, code: str) -> tuple[Lab, ScheduledLab | None]:
    scheduled = (
        ScheduledLab.objects.select_related("lab")
        .filter(
            Q(lab_code__iexact=code) | Q(lab__catalog_item=code), lab__in=visible_labs(audience)
        )
        .first()
    )
    if scheduled is not None and scheduled.lab is not None:
        return scheduled.lab, scheduled
    lab = visible_labs(audience).filter(catalog_item=code).first()
    if lab is None:
        raise Http404(code)
    return lab, None


def provisioning(audience: Audience, code: str, now: dt.datetime) -> Provisioning:
    """Everything about one catalog item / lab code (8 queries; up to 3 more when its pool is
    found only through a lab mapping's pool pattern)."""
    lab, scheduled = _lab_for(audience, code)
    lab_code = scheduled.lab_code if scheduled else ""
    sessions = list(Session.objects.filter(lab=lab, ends_at__gt=now).order_by("starts_at")[:20])
    pools = PoolSnapshot.objects.filter(catalog_item=lab.catalog_item)
    if lab_code:
        pools = PoolSnapshot.objects.filter(
            Q(catalog_item=lab.catalog_item) | Q(pool_name__icontains=lab_code)
        )
    pool = pools.order_by("-taken_at").first() or mapped_pool_snapshot(
        lab, lab_code, since=now - dt.timedelta(hours=24)
    )
    jobs = AapJob.objects.filter(status="failed", finished__gte=now - dt.timedelta(hours=24))
    jobs = jobs.filter(
        Q(catalog_item=lab.catalog_item) | (Q(lab_code=lab_code) if lab_code else Q(pk=None))
    )
    smoke = list(SmokeTestResult.objects.filter(lab=lab).order_by("-finished_at")[:10])
    definition = CatalogDefinition.objects.filter(catalog_item=lab.catalog_item).first()
    counts = ProvisionRecord.objects.filter(catalog_item=lab.catalog_item).aggregate(
        total=Count("pk"),
        started=Count("pk", filter=Q(current_state="started")),
        failed=Count("pk", filter=Q(current_state__contains="failed")),
    )
    failures = list(jobs[:20])
    facts = _facts(scheduled, sessions, pool, failures, smoke, counts)
    return Provisioning(
        code=lab_code or lab.catalog_item,
        lab=lab,
        scheduled=scheduled,
        sessions=sessions,
        pool=pool,
        pool_status=pool_status(pool.available, pool.min_available) if pool else "none",
        aap_failures=failures,
        smoke=smoke,
        definition=definition,
        violations=list(ConstraintViolation.objects.filter(lab=lab)),
        instances=counts,
        next_action=next_action(facts),
    )


def _facts(
    scheduled: ScheduledLab | None,
    sessions: list[Session],
    pool: PoolSnapshot | None,
    jobs: list[AapJob],
    smoke: list[SmokeTestResult],
    counts: dict[str, Any],
) -> dict[str, Any]:
    latest = next((r for r in smoke if r.worker_count > 10), smoke[0] if smoke else None)
    status = "none"
    if latest is not None:
        status = "fail" if latest.failed > 0 or latest.passed is False else "pass"
    cloud = scheduled.cloud if scheduled else ""
    return {
        "sessions": len(sessions),
        "aap_provision_failures": sum(j.kind == "provision" for j in jobs),
        "instances_failed": counts["failed"],
        "provisioned": lab_provisioned(
            started_instances=counts["started"],
            has_pool=pool is not None,
            has_smoke_results=bool(smoke),
            cloud=cloud,
        ),
        "demolition_status": status,
        "status": scheduled.status if scheduled else "",
        "has_pool": pool is not None,
    }


def urgent_open_recommendations() -> list[Recommendation]:
    """Open critical and high recommendations, critical first, then the oldest (policy
    notifications, 23.5). Not team-scoped: the notification routes scope them."""
    rows = Recommendation.objects.filter(status="open", urgency__in=("critical", "high"))
    return sorted(rows.order_by("first_seen", "pk"), key=lambda r: r.urgency_rank)
