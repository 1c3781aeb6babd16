"""Reads of the collected data for other apps and for the pages."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from collectors.conf import source_settings
from collectors.mappings import pool_mapping
from collectors.models import (
    AapJob,
    ClusterAlert,
    ConstraintViolation,
    LabIdentity,
    LabMapping,
    PoolSnapshot,
    ScheduledLab,
    SmokeTestResult,
    SourceState,
)
from collectors.runner import COLLECTORS
from labs.models import Cluster, Lab, LabInstance
from stargate.lib.evidence import SmokeResult

SMOKE_MAX_AGE = timedelta(days=2)
SMOKE_WORKERS_PREFERRED = 10  # spec 9: prefer the newest session with more than 10 workers


def smoke_result(row: SmokeTestResult) -> SmokeResult:
    return SmokeResult(
        source=row.source,
        session=row.session_id or row.session_name,
        passed=row.passed,
        steps_passed=row.steps_passed,
        steps_failed=row.steps_failed,
        error_summary=row.error_summary,
        finished_at=row.finished_at.isoformat(),
    )


def smoke_results_for(
    instances: Sequence[LabInstance], now: datetime | None = None
) -> dict[int, list[SmokeResult]]:
    """Each lab instance's smoke-test evidence, newest first (one query): the results pushed for
    it (or for its lab on its cluster), then the lab's pulled Demolition result (the newest
    session with more than 10 workers, else the newest)."""
    lab_ids = {i.lab_id for i in instances}
    if not lab_ids:
        return {}
    since = (now or timezone.now()) - SMOKE_MAX_AGE
    rows = list(
        SmokeTestResult.objects.filter(lab_id__in=lab_ids, finished_at__gte=since).order_by(
            "-finished_at", "-pk"
        )
    )
    pulled: dict[int, list[SmokeTestResult]] = defaultdict(list)
    pushed: list[SmokeTestResult] = []
    for row in rows:
        (pulled[row.lab_id or 0] if row.source == SmokeTestResult.Source.PULL else pushed).append(
            row
        )
    found: dict[int, list[SmokeResult]] = {}
    for instance in instances:
        own = [
            r
            for r in pushed
            if r.lab_instance_id == instance.pk
            or (
                r.lab_instance_id is None
                and r.lab_id == instance.lab_id
                and r.cluster_name in ("", instance.cluster.name)
            )
        ]
        candidates = pulled.get(instance.lab_id, [])
        big = [r for r in candidates if r.worker_count > SMOKE_WORKERS_PREFERRED]
        chosen = (big or candidates)[:1]
        results = sorted([*own[:3], *chosen], key=lambda r: r.finished_at, reverse=True)
        if results:
            found[instance.pk] = [smoke_result(r) for r in results]
    return found


def critical_alerts(cluster: Cluster) -> list[str]:
    """Names of the cluster's firing critical Alertmanager alerts (a cluster-health fact)."""
    return list(
        ClusterAlert.objects.filter(
            cluster=cluster, kind=ClusterAlert.Kind.ALERT, closed_at=None, severity="critical"
        )
        .order_by("name")
        .values_list("name", flat=True)
    )


def source_states() -> list[SourceState]:
    """One state per known source (a source never run gets an unsaved, empty one)."""
    stored = {s.name: s for s in SourceState.objects.all()}
    return [stored.get(name) or _unsaved(name) for name in COLLECTORS]


def _unsaved(name: str) -> SourceState:
    source = source_settings(name)
    return SourceState(
        name=name, interval_seconds=source.interval_seconds, configured=source.configured
    )


def failing_sources() -> list[SourceState]:
    return list(SourceState.objects.filter(~Q(consecutive_failures=0)))


FRESHNESS_CODES = {"fresh": 0, "aging": 1, "stale": 2, "never": 3}


def source_gauges(now: datetime | None = None) -> list[dict[str, float | str]]:
    """Per source, what a metrics exporter publishes: freshness (0 fresh, 1 aging, 2 stale,
    3 never) and its word (`state`), seconds since the last success (-1 never), failures in a
    row, configured (0/1)."""
    now = now or timezone.now()
    rows: list[dict[str, float | str]] = []
    for state in source_states():
        age = (now - state.last_success_at).total_seconds() if state.last_success_at else -1.0
        word = str(state.freshness(now))
        rows.append(
            {
                "source": state.name,
                "state": word,
                "freshness": FRESHNESS_CODES[word],
                "age_seconds": round(age, 1),
                "consecutive_failures": state.consecutive_failures,
                "configured": 1 if state.configured else 0,
                "last_error_kind": state.last_error_kind if state.consecutive_failures else "",
            }
        )
    return rows


def violations_by_lab() -> dict[int, list[dict[str, str]]]:
    """Each lab's AgnosticV constraint violations in the spec's shape (12, 23.4), critical first."""
    found: dict[int, list[dict[str, str]]] = defaultdict(list)
    rows = ConstraintViolation.objects.exclude(lab=None).order_by("severity", "violation_type")
    for row in rows:  # "critical" sorts before "warning"
        found[int(row.lab_id or 0)].append(row.as_dict())
    return dict(found)


# --- One lab's automation jobs (the investigation agent's tools, the evidence bundle) ------


_LAB_CODE = re.compile(r"lb\d{4}", re.IGNORECASE)


def lab_code_of(instance: LabInstance) -> str:
    """The instance's lab code: its identity record's (3.2), else its lab's schedule row's,
    else one its namespace contains (`lb1234`, spec 16.2)."""
    return lab_codes_of([instance]).get(instance.pk, "")


def lab_codes_of(instances: Iterable[LabInstance]) -> dict[int, str]:
    """`lab_code_of` for many instances (one query): instance pk → its lab code."""
    by_pk = {instance.pk: instance for instance in instances}
    if not by_pk:
        return {}
    identity = (
        LabIdentity.objects.filter(instance=OuterRef("pk"))
        .exclude(lab_code="")
        .order_by("pk")
        .values("lab_code")[:1]
    )
    scheduled = (
        ScheduledLab.objects.filter(lab_id=OuterRef("lab_id"))
        .exclude(lab_code="")
        .order_by("lab_code", "pk")
        .values("lab_code")[:1]
    )
    rows = (
        LabInstance.objects.filter(pk__in=by_pk)
        .annotate(identity_code=Subquery(identity), schedule_code=Subquery(scheduled))
        .values_list("pk", "identity_code", "schedule_code")
    )
    stored = {pk: own or schedule for pk, own, schedule in rows}
    codes: dict[int, str] = {}
    for pk, instance in by_pk.items():
        found = _LAB_CODE.search(instance.namespace)
        codes[pk] = stored.get(pk) or (found.group(0).upper() if found else "")
    return codes


def _item_short(catalog_item: str) -> str:
    parts = catalog_item.split(".")
    return parts[1] if len(parts) == 3 else catalog_item


def job_of_lab(job: AapJob, lab: Lab, lab_code: str) -> bool:
    """Whether an AAP job is the lab's: its lab code, else its catalog item (the first two dot
    segments of the job's name) is the lab's, in full or by short name."""
    if lab_code and job.lab_code == lab_code:
        return True
    item = job.catalog_item
    return bool(item) and (
        item == lab.catalog_item
        or lab.catalog_item.startswith(item + ".")
        or item.split(".")[-1] == _item_short(lab.catalog_item)
    )


def _aap_match(lab: Lab, lab_code: str) -> Q:
    short = _item_short(lab.catalog_item)
    match = Q(catalog_item=lab.catalog_item) | Q(catalog_item__endswith=f".{short}")
    match |= Q(catalog_item__in=[".".join(lab.catalog_item.split(".")[:2]), short])
    if lab_code:
        match |= Q(lab_code=lab_code)
    return match


def _aap_matches(job: AapJob, lab: Lab, lab_code: str) -> bool:
    """`_aap_match` in Python: which of a batch's rows the lab's own query would have read."""
    short = _item_short(lab.catalog_item)
    item = job.catalog_item
    return (
        item == lab.catalog_item
        or item.endswith(f".{short}")
        or item in (".".join(lab.catalog_item.split(".")[:2]), short)
        or bool(lab_code and job.lab_code == lab_code)
    )


def aap_failures_for(lab: Lab, lab_code: str, *, since: datetime, limit: int = 10) -> list[AapJob]:
    """The lab's failed AAP jobs finished since `since`, newest first (one query)."""
    return aap_failures_for_many([(lab, lab_code)], since=since, limit=limit)[(lab.pk, lab_code)]


def aap_failures_for_many(
    labs: Iterable[tuple[Lab, str]], *, since: datetime, limit: int = 10
) -> dict[tuple[int, str], list[AapJob]]:
    """`aap_failures_for` for many (lab, lab code) pairs, in one query: (lab pk, lab code) →
    its failed jobs, newest first."""
    pairs = {(lab.pk, code): (lab, code) for lab, code in labs}
    if not pairs:
        return {}
    match = Q()
    for lab, code in pairs.values():
        match |= _aap_match(lab, code)
    rows = list(
        AapJob.objects.filter(match, status="failed", finished__gte=since).order_by(
            "-finished", "-job_id"
        )
    )
    found: dict[tuple[int, str], list[AapJob]] = {}
    for key, (lab, code) in pairs.items():
        own = [job for job in rows if _aap_matches(job, lab, code)][: limit * 3]
        found[key] = [job for job in own if job_of_lab(job, lab, code)][:limit]
    return found


# --- Pools named through the lab mappings' `pool_pattern` (spec 3.3) -------------------------


def pool_mappings() -> list[LabMapping]:
    """The lab mappings that carry a pool pattern (one query), for `pool_by_mapping`."""
    return list(LabMapping.objects.exclude(pool_pattern="").order_by("lab_code"))


def pool_owner(pool_name: str, mappings: Sequence[LabMapping]) -> LabMapping | None:
    """The mapping a pool belongs to: its most specific matching pool pattern."""
    return pool_mapping(pool_name, mappings)


def mapping_is_labs(mapping: LabMapping, lab: Lab, lab_code: str) -> bool:
    """Whether a mapping names `lab`: by its catalog item, else by the lab code."""
    if mapping.lab_id is not None:
        return mapping.lab_id == lab.pk
    return bool(lab_code) and mapping.lab_code.lower() == lab_code.lower()


def pool_by_mapping(
    lab: Lab, lab_code: str, pool_names: Sequence[str], mappings: Sequence[LabMapping]
) -> str | None:
    """The first pool (by name) whose pool-pattern mapping is the lab's. A pool belongs to its
    most specific matching mapping (`collectors.mappings.pool_mapping`), so a broad pattern of
    one lab never takes the pool of another."""
    if not mappings:
        return None
    for name in sorted(pool_names):
        found = pool_mapping(name, mappings)
        if found is not None and mapping_is_labs(found, lab, lab_code):
            return name
    return None


def mapped_pool_snapshot(
    lab: Lab, lab_code: str, *, since: datetime | None = None
) -> PoolSnapshot | None:
    """The newest snapshot of the lab's pool found through the mappings' pool patterns, among
    the pools snapshotted since `since` (default 24 h); None without one (at most 3 queries)."""
    mappings = pool_mappings()
    if not mappings:
        return None
    since = since or timezone.now() - timedelta(hours=24)
    names = set(
        PoolSnapshot.objects.filter(taken_at__gte=since)
        .values_list("pool_name", flat=True)
        .distinct()
    )
    name = pool_by_mapping(lab, lab_code, sorted(names), mappings)
    if name is None:
        return None
    return PoolSnapshot.objects.filter(pool_name=name).order_by("-taken_at").first()
