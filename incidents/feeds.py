"""Events from the collectors, the recommendations and the LLM, each read past its own cursor
(see `incidents.ingest` for the verdicts, clusters, scans and remediation).

- `collector.degraded` / `.healthy`: a configured collector turns stale, or fails two cycles
  in a row, and comes back (a state kept in the cursor, like cluster reachability);
- `provision.failed`: an AAP provisioning job failed (`collectors.AapJob`, by id);
- `smoke_test.failed`: a smoke-test run failed (`collectors.SmokeTestResult`, by finish time:
  a pulled session's row is updated in place by its next run);
- `teardown.stuck`, `recommendation.raised` / `.resolved`: a new recommendation of the cleanup
  detectors' rules, or of critical or high urgency, and its resolution;
- `failure.classified`: a person accepted or corrected an LLM proposal to a class other than
  the lab's, or switched on a promoted rule that reclassifies labs (one event per rule);
  `investigation.completed`: an investigation ended (answer, cap or error).

Rows read by time are read again over a short lookback (commits land out of time order) and
each becomes one event, by its `source`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from collectors.models import AapJob, Freshness, SmokeTestResult, SourceState
from incidents.models import Cursor, Event
from labs.models import Cluster, Lab
from recommendations.models import Recommendation
from rubrics_app import selectors as rubric_selectors
from rubrics_app.models import ClassificationProposal, ClassificationRule, InvestigationRun

BATCH = 2000
LOOKBACK = timedelta(minutes=10)
FIRST_READ = timedelta(hours=1)  # a time cursor's first pass reads this far back
FAILING_CYCLES = 2
TEARDOWN_RULES = frozenset({"teardown_stuck", "cleanup_stuck"})
RAISED_URGENCIES = frozenset({"critical", "high"})
T = TypeVar("T")


def _cursor(name: str) -> Cursor:
    cursor, _ = Cursor.objects.select_for_update().get_or_create(name=name)
    return cursor


def _event(source: str, event_type: str, at: datetime, **fields: Any) -> Event:
    from incidents.ingest import new_event_id

    return Event(event_id=new_event_id(), source=source, event_type=event_type, at=at, **fields)


def _labs(items: Iterable[str]) -> dict[str, Lab]:
    wanted = {item for item in items if item}
    return {lab.catalog_item: lab for lab in Lab.objects.filter(catalog_item__in=wanted)}


def _clusters(names: Iterable[str]) -> dict[str, Cluster]:
    wanted = {name for name in names if name}
    return {c.name: c for c in Cluster.objects.filter(name__in=wanted)}


def _by_time(
    name: str,
    now: datetime,
    read: Callable[[datetime], list[T]],
    at: Callable[[T], datetime],
    build: Callable[[list[T]], list[Event]],
) -> list[Event]:
    """Rows from `read(since)`, since the cursor's time less the lookback, not yet an event."""
    cursor = _cursor(name)
    last = parse_datetime(str(cursor.state.get("at") or ""))
    rows = read((last - LOOKBACK) if last else now - FIRST_READ)
    if not rows:
        return []
    newest = max(at(row) for row in rows)
    if last is None or newest > last:
        cursor.state = {"at": newest.isoformat()}
        cursor.save(update_fields=["state"])
    events = build(rows)
    seen = set(
        Event.objects.filter(source__in=[e.source for e in events]).values_list("source", flat=True)
    )
    return [event for event in events if event.source not in seen]


def collector_events(now: datetime) -> list[Event]:
    cursor = _cursor("collectors")
    known: dict[str, str] = dict(cursor.state)
    events = []
    for state in SourceState.objects.filter(configured=True):
        freshness = state.freshness(now)
        failing = state.consecutive_failures >= FAILING_CYCLES
        condition = "stale" if freshness == Freshness.STALE else "failing" if failing else "ok"
        before, known[state.name] = known.get(state.name, "ok"), condition
        if (before == "ok") == (condition == "ok"):
            continue
        degraded = condition != "ok"
        events.append(
            _event(
                f"collector:{state.name}:{condition}:{now.isoformat()}",
                Event.Type.COLLECTOR_DEGRADED if degraded else Event.Type.COLLECTOR_HEALTHY,
                now,
                outcome=condition if degraded else "ready",
                message=(state.last_error or f"{state.get_name_display()}: {condition}")[:2000],
                fingerprint=f"collector:{state.name}",
                metadata={
                    "collector": state.name,
                    "freshness": freshness,
                    "consecutive_failures": state.consecutive_failures,
                    "error_kind": state.last_error_kind,
                },
            )
        )
    if known != cursor.state:
        cursor.state = known
        cursor.save(update_fields=["state"])
    return events


def _where(lab: Lab | None, item: str, cluster: Cluster | None, cluster_name: str) -> str:
    return f"{lab.pk if lab else item}:{cluster.pk if cluster else cluster_name}"


def aap_events() -> list[Event]:
    cursor = _cursor("aap_jobs")
    jobs = list(AapJob.objects.filter(pk__gt=cursor.last_id).order_by("pk")[:BATCH])
    if not jobs:
        return []
    cursor.last_id = jobs[-1].pk
    cursor.save(update_fields=["last_id"])
    jobs = [job for job in jobs if job.kind == AapJob.Kind.PROVISION]
    labs = _labs(job.catalog_item for job in jobs)
    clusters = _clusters(job.cluster for job in jobs)
    events = []
    for job in jobs:
        lab, cluster = labs.get(job.catalog_item), clusters.get(job.cluster)
        text = ": ".join(part for part in (job.name, job.failing_task, job.error) if part)
        events.append(
            _event(
                f"aap:{job.pk}",
                Event.Type.PROVISION_FAILED,
                job.finished or job.seen_at,
                lab=lab,
                cluster=cluster,
                outcome="failed",
                failure_class="provision-failed",
                message=text[:2000],
                fingerprint=f"provision:{_where(lab, job.catalog_item, cluster, job.cluster)}",
                metadata={
                    "controller": job.controller,
                    "job_id": job.job_id,
                    "job_url": job.job_url,
                    "catalog_item": job.catalog_item,
                    "cluster_name": job.cluster,
                },
            )
        )
    return events


def _smoke_build(rows: list[SmokeTestResult]) -> list[Event]:
    failed = [row for row in rows if row.passed is False]
    clusters = _clusters(row.cluster_name for row in failed)
    events = []
    for row in failed:
        instance = row.lab_instance
        cluster = instance.cluster if instance is not None else clusters.get(row.cluster_name)
        cluster_name = cluster.name if cluster is not None else row.cluster_name
        where = _where(row.lab, row.catalog_item or row.lab_code, cluster, cluster_name)
        events.append(
            _event(
                f"smoke:{row.pk}:{row.finished_at.timestamp():.0f}",
                Event.Type.SMOKE_TEST_FAILED,
                row.finished_at,
                lab_instance=instance,
                lab=row.lab,
                cluster=cluster,
                outcome="failed",
                failure_class="smoke-test-failed",
                message=(row.error_summary or f"{row.failed} of {row.total} steps failed")[:2000],
                fingerprint=f"smoke:{where}",
                metadata={
                    "smoke_test": row.pk,
                    "session": row.session_name or row.session_id,
                    "lab_code": row.lab_code,
                    "cluster_name": cluster_name,
                    "reporter": row.reporter,
                },
            )
        )
    return events


def smoke_test_events(now: datetime) -> list[Event]:
    def read(since: datetime) -> list[SmokeTestResult]:
        rows = SmokeTestResult.objects.filter(finished_at__gte=since, finished_at__lte=now)
        related = rows.select_related("lab", "lab_instance__cluster")
        return list(related.order_by("finished_at", "pk")[:BATCH])

    return _by_time("smoke_tests", now, read, lambda row: row.finished_at, _smoke_build)


def _recommendation_event(rec: Recommendation, kind: str, at: datetime) -> Event:
    cluster = None
    if rec.scope == "cluster":
        cluster = Cluster.objects.filter(name=rec.target).first()
    return _event(
        f"rec:{rec.pk}:{'resolved' if kind == Event.Type.RECOMMENDATION_RESOLVED else 'open'}",
        kind,
        at,
        lab=rec.lab,
        cluster=cluster,
        outcome="ready" if kind == Event.Type.RECOMMENDATION_RESOLVED else rec.urgency,
        message=rec.title[:2000],
        fingerprint=f"recommendation:{rec.key}"[:200],
        metadata={
            "recommendation": rec.pk,
            "rule": rec.rule,
            "urgency": rec.urgency,
            "scope": rec.scope,
            "target": rec.target,
        },
    )


def recommendation_events() -> list[Event]:
    """New recommendations worth an event, and the resolution of those the cursor tracks."""
    cursor = _cursor("recommendations")
    tracked = [int(pk) for pk in cursor.state.get("open", [])]
    events = []
    for rec in Recommendation.objects.filter(
        pk__in=tracked, status=Recommendation.Status.RESOLVED
    ).select_related("lab"):
        at = rec.resolved_at or timezone.now()
        events.append(_recommendation_event(rec, Event.Type.RECOMMENDATION_RESOLVED, at))
        tracked.remove(rec.pk)
    newer = Recommendation.objects.filter(pk__gt=cursor.last_id).select_related("lab")
    rows = list(newer.order_by("pk")[:BATCH])
    for rec in rows:
        stuck = rec.rule in TEARDOWN_RULES
        if rec.status != Recommendation.Status.OPEN or not (
            stuck or rec.urgency in RAISED_URGENCIES
        ):
            continue
        kind = Event.Type.TEARDOWN_STUCK if stuck else Event.Type.RECOMMENDATION_RAISED
        events.append(_recommendation_event(rec, kind, rec.first_seen))
        tracked.append(rec.pk)
    if rows:
        cursor.last_id = rows[-1].pk
    cursor.state = {"open": sorted(tracked)}
    cursor.save(update_fields=["last_id", "state"])
    return events


def _classified_build(rows: list[ClassificationProposal]) -> list[Event]:
    return [
        _event(
            f"proposal:{row.pk}",
            Event.Type.CLASSIFIED,
            row.reviewed_at or row.created_at,
            lab_instance=row.lab_instance,
            cluster_id=row.lab_instance.cluster_id,
            lab_id=row.lab_instance.lab_id,
            rubric_id=row.rubric_id,
            outcome=row.status,
            failure_class=row.final_class,
            message=f"{row.original_class or 'unclassified'} → {row.final_class} ({row.status})",
            fingerprint=f"classified:{row.lab_instance_id}:{row.rubric_id}:{row.final_class}",
            metadata={
                "proposal": row.pk,
                "original_class": row.original_class,
                "final_class": row.final_class,
                "novel": row.novel,
            },
        )
        for row in rows
    ]


def classification_events(now: datetime) -> list[Event]:
    return _by_time(
        "classifications",
        now,
        rubric_selectors.classifications_reviewed_since,
        lambda row: row.reviewed_at or row.created_at,
        _classified_build,
    )


def _investigation_build(rows: list[InvestigationRun]) -> list[Event]:
    return [
        _event(
            f"investigation:{row.pk}",
            Event.Type.INVESTIGATION_COMPLETED,
            row.completed_at or row.created_at,
            lab_instance=row.lab_instance,
            cluster_id=row.lab_instance.cluster_id,
            lab_id=row.lab_instance.lab_id,
            outcome=row.status,
            failure_class=row.answer_class or row.failure_class,
            message=(row.root_cause or row.error or row.get_status_display())[:2000],
            fingerprint=f"investigation:{row.pk}",
            metadata={
                "investigation": row.pk,
                "verdict": row.verdict,
                "action": row.action,
                "gate_outcome": row.gate_outcome,
            },
        )
        for row in rows
    ]


def _promoted_build(rows: list[ClassificationRule]) -> list[Event]:
    """One event per promoted rule that reclassifies labs (its replay's changes it applies)."""
    events = []
    for rule in rows:
        labs = {
            change.get("lab_instance")
            for change in rule.replay or []
            if change.get("rubric") == rule.rubric_id and change.get("after") == rule.failure_class
        }
        if not labs:
            continue
        name = f"{rule.rule_id}@v{rule.version}"
        events.append(
            _event(
                f"rule:{rule.pk}",
                Event.Type.CLASSIFIED,
                rule.activated_at or rule.created_at,
                rubric_id=rule.rubric_id,
                outcome="promoted",
                failure_class=rule.failure_class,
                message=f"rule {name} switched on: {len(labs)} labs now {rule.failure_class}",
                fingerprint=f"classified-rule:{rule.rule_id}",
                metadata={"rule": name, "labs": len(labs), "proposal": rule.proposal_id},
            )
        )
    return events


def promotion_events(now: datetime) -> list[Event]:
    return _by_time(
        "classification_rules",
        now,
        rubric_selectors.classification_rules_activated_since,
        lambda rule: rule.activated_at or rule.created_at,
        _promoted_build,
    )


def investigation_events(now: datetime) -> list[Event]:
    return _by_time(
        "investigations",
        now,
        rubric_selectors.investigations_ended_since,
        lambda row: row.completed_at or row.created_at,
        _investigation_build,
    )
