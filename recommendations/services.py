"""Recommendation writes: refresh from the policy engine (dedupe, resolve), and raise a
remediation request for a recommendation whose rule names a catalog action."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from collectors.selectors import pool_mappings, violations_by_lab
from forecasting.selectors import capacity_forecast, pool_for
from labs.models import Lab, LabInstance
from labs.selectors import OPERATORS
from recommendations.cleanup import cleanup_reports
from recommendations.contexts import cluster_contexts, lab_contexts, platform_context, pool_contexts
from recommendations.detectors import CleanupReport
from recommendations.engine import Context, Finding, evaluate
from recommendations.models import Recommendation
from recommendations.rules import RuleDef, policies_load
from recommendations.substrate_load import cluster_routing
from remediation.models import ActionRequest, RemediationAction
from remediation.services import action_request_create

# The failure class a pool-scale request is filed under: the catalog allows pool-scale for it,
# and a pool running low is capacity running out.
POOL_FAILURE_CLASS = "cluster-capacity-high"


@cache
def _rules(directory: str, overrides: str) -> tuple[RuleDef, ...]:
    import json

    return policies_load(Path(directory), json.loads(overrides or "{}"))


def rules() -> tuple[RuleDef, ...]:
    return _rules(str(settings.POLICIES_DIR), settings.POLICY_THRESHOLDS)


@dataclass(frozen=True)
class Refresh:
    opened: int
    refreshed: int
    resolved: int

    def __str__(self) -> str:
        return f"{self.opened} opened, {self.refreshed} still open, {self.resolved} resolved"


def contexts_build(
    *, now: dt.datetime, cleanup: dict[str, CleanupReport] | None = None
) -> list[Context]:
    forecast = capacity_forecast(audience=OPERATORS, now=now)
    labs = list(Lab.objects.all())
    items = {p.name: p.catalog_item for p in forecast.pools}
    mappings = pool_mappings()
    pool_labs = {}
    for lab in labs:
        name = pool_for(lab, "", items, mappings)
        if name:
            pool_labs[name] = lab
    contexts = [
        *lab_contexts(labs=labs, forecast=forecast, now=now),
        *pool_contexts(forecast, pool_labs),
        *cluster_contexts(
            forecast, cleanup or {}, routing=cluster_routing(forecast.cluster_load, cleanup or {})
        ),
    ]
    platform = platform_context(now)
    return [*contexts, platform] if platform else contexts


def recommendations_refresh(
    *, now: dt.datetime | None = None, live_cleanup: bool = True
) -> Refresh:
    """Evaluate every rule on every context and store the findings (one open row per key)."""
    now = now or timezone.now()
    cleanup = cleanup_reports(now=now) if live_cleanup else {}
    findings = evaluate(rules(), contexts_build(now=now, cleanup=cleanup))
    return findings_store(findings=findings, now=now)


@transaction.atomic
def findings_store(*, findings: list[Finding], now: dt.datetime) -> Refresh:
    open_rows = {r.key: r for r in Recommendation.objects.select_for_update().filter(status="open")}
    violations = violations_by_lab()
    opened = refreshed = 0
    for finding in findings:
        fields = _fields(finding)
        # the violations of the finding's lab (a lab's, or a pool's lab's)
        fields["constraint_violations"] = violations.get(finding.lab_id or 0, [])
        row = open_rows.pop(finding.key, None)
        if row is None:
            Recommendation.objects.create(key=finding.key, first_seen=now, last_seen=now, **fields)
            opened += 1
        else:
            Recommendation.objects.filter(pk=row.pk).update(last_seen=now, **fields)
            refreshed += 1
    resolved = Recommendation.objects.filter(pk__in=[r.pk for r in open_rows.values()]).update(
        status=Recommendation.Status.RESOLVED, resolved_at=now
    )
    return Refresh(opened, refreshed, resolved)


def _fields(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "scope": finding.scope,
        "target": finding.target,
        "team_id": finding.team_id,
        "lab_id": finding.lab_id,
        "urgency": finding.urgency,
        "confidence": finding.confidence,
        "confidence_reason": finding.confidence_reason[:500],
        "title": finding.title[:300],
        "recommendation": finding.recommendation,
        "next_action": finding.next_action[:100],
        "action": finding.action or "",
        "evidence": finding.evidence,
        "decision_logic": finding.decision_logic,
    }


class NoActionForRecommendation(Exception):
    pass


def _pool_instance(recommendation: Recommendation, hub: str) -> LabInstance:
    """The live lab instance a pool request is filed on: one of the pool's catalog item, on
    the pool's hub cluster when known (the executor patches the pool on the instance's
    cluster)."""
    instances = LabInstance.objects.filter(lab=recommendation.lab, deleted_at__isnull=True)
    if hub:
        instances = instances.filter(cluster__name=hub)
    instance = instances.select_related("lab", "cluster").order_by("pk").first()
    if instance is None:
        raise NoActionForRecommendation(f"no live lab of {recommendation.target}'s catalog item")
    return instance


def recommendation_request_action(
    *, recommendation: Recommendation, user: User | None, min_available: int | None = None
) -> ActionRequest:
    """Raise the recommendation's catalog action through remediation's gates and queue."""
    if recommendation.action != "pool-scale" or recommendation.status != "open":
        raise NoActionForRecommendation(f"{recommendation.key} has no open catalog action")
    action = RemediationAction.objects.filter(action_id="pool-scale", enabled=True).first()
    if action is None:
        raise NoActionForRecommendation("pool-scale is not in the loaded catalog")
    poolboy = recommendation.evidence.get("source_poolboy", {})
    instance = _pool_instance(recommendation, str(poolboy.get("hub") or ""))
    wanted = min_available or max(int(poolboy.get("min") or 0) * 2, settings.POOL_SCALE_DEFAULT)
    request = action_request_create(
        lab_instance=instance,
        action=action,
        failure_class=POOL_FAILURE_CLASS,
        parameters={
            "pool": str(poolboy.get("pool") or recommendation.target),
            "pool_namespace": settings.POOLBOY_NAMESPACE,
            "min_available": min(wanted, 100),
        },
        evidence={"recommendation": recommendation.key, **recommendation.evidence},
        source=ActionRequest.Source.UI if user else ActionRequest.Source.AUTO,
        requested_by=user,
        fingerprint="rec:" + hashlib.sha256(recommendation.key.encode()).hexdigest()[:32],
        note=recommendation.recommendation,
    )
    Recommendation.objects.filter(pk=recommendation.pk).update(action_request=request)
    recommendation.action_request = request
    return request
