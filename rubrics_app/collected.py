"""What the collectors know about a lab, as the evidence bundle's sections and the
investigation agent's tools read it: its pool, its catalog item's failed automation jobs, its
sessions and its smoke tests. Read through `collectors.selectors` and `forecasting.selectors`;
every value is redacted here (a job's error is text from outside) and each list is bounded.
`collected_sections_many` reads them for a batch of labs in a constant number of queries (5,
and one more when a pool is found); the one-lab functions read the same through it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from collectors.models import AapJob
from collectors.selectors import aap_failures_for_many, lab_codes_of, smoke_results_for
from forecasting.models import Session
from forecasting.selectors import lab_pool_states, lab_sessions_many
from labs.models import LabInstance
from stargate.lib.evidence import SmokeResult
from stargate.lib.redact import redact

JOBS_SINCE = timedelta(days=2)
JOBS_READ = 20
MAX_JOBS = 3
FIELD_CHARS = 150  # a job's name, task and error: three jobs fit a bundle section
MAX_SESSIONS = 5
MAX_SMOKE = 3


def pool_section(
    lab: LabInstance, now: datetime | None = None, code: str | None = None
) -> dict[str, Any] | None:
    """The lab's pool: available, ready, min, max unready, status, velocity, recent snapshots."""
    code = lab_codes_of([lab])[lab.pk] if code is None else code
    return _pool(lab_pool_states([(lab.lab, code)], now=now)[(lab.lab_id, code)])


def jobs_section(
    lab: LabInstance, now: datetime | None = None, code: str | None = None
) -> dict[str, Any] | None:
    """The catalog item's failed AAP jobs of the last 2 days: count, top error, the newest."""
    code = lab_codes_of([lab])[lab.pk] if code is None else code
    since = (now or timezone.now()) - JOBS_SINCE
    found = aap_failures_for_many([(lab.lab, code)], since=since, limit=JOBS_READ)
    return _jobs(found[(lab.lab_id, code)])


def sessions_section(lab: LabInstance, now: datetime | None = None) -> list[dict[str, Any]]:
    """The lab's sessions running now or starting within 7 days, with their attendees."""
    now = now or timezone.now()
    found = lab_sessions_many([(lab.lab, lab.cluster)], now=now)
    return _sessions(found[(lab.lab_id, lab.cluster_id)], now)


def smoke_section(lab: LabInstance, now: datetime | None = None) -> list[dict[str, Any]]:
    """The lab's smoke-test results of the last 2 days, newest first."""
    return _smoke(smoke_results_for([lab], now).get(lab.pk, []))


def collected_sections(lab: LabInstance, now: datetime | None = None) -> dict[str, Any]:
    """The bundle's sections fed by the collectors, only those with something in them."""
    return collected_sections_many([lab], now)[lab.pk]


def collected_sections_many(
    labs: Iterable[LabInstance], now: datetime | None = None
) -> dict[int, dict[str, Any]]:
    """`collected_sections` of every lab of a batch (lab pk → its sections), each source read
    once for all of them: lab codes, failed AAP jobs, pools (and the found pools' history),
    sessions, smoke tests."""
    labs = list({lab.pk: lab for lab in labs}.values())
    if not labs:
        return {}
    now = now or timezone.now()
    codes = lab_codes_of(labs)
    pairs = [(lab.lab, codes[lab.pk]) for lab in labs]
    jobs = aap_failures_for_many(pairs, since=now - JOBS_SINCE, limit=JOBS_READ)
    pools = lab_pool_states(pairs, now=now)
    sessions = lab_sessions_many([(lab.lab, lab.cluster) for lab in labs], now=now)
    smoke = smoke_results_for(labs, now)
    found: dict[int, dict[str, Any]] = {}
    for lab in labs:
        key = (lab.lab_id, codes[lab.pk])
        sections = {
            "automation_jobs": _jobs(jobs[key]),
            "pool": _pool(pools[key]),
            "sessions": _sessions(sessions[(lab.lab_id, lab.cluster_id)], now),
            "smoke_tests": _smoke(smoke.get(lab.pk, [])),
        }
        found[lab.pk] = {name: value for name, value in sections.items() if value}
    return found


def _pool(state: dict[str, object] | None) -> dict[str, Any] | None:
    return redact(state) if state is not None else None


def _jobs(jobs: list[AapJob]) -> dict[str, Any] | None:
    if not jobs:
        return None
    errors: dict[str, int] = {}
    for job in jobs:
        errors[job.error] = errors.get(job.error, 0) + 1
    top = max(errors.items(), key=lambda pair: pair[1])[0]
    section = {
        "failed": len(jobs),
        "top_error": top[:FIELD_CHARS],
        "jobs": [
            {
                "name": job.name[:FIELD_CHARS],
                "kind": job.kind,
                "failing_task": job.failing_task[:FIELD_CHARS],
                "error": job.error[:FIELD_CHARS],
                "cluster": job.cluster,
                "finished": job.finished.isoformat() if job.finished else "",
            }
            for job in jobs[:MAX_JOBS]
        ],
    }
    clean: dict[str, Any] = redact(section)
    return clean


def _sessions(rows: list[Session], now: datetime) -> list[dict[str, Any]]:
    found = [
        {
            "name": s.name,
            "running": s.starts_at <= now,
            "starts_at": s.starts_at.isoformat(),
            "ends_at": s.ends_at.isoformat(),
            "attendees": s.attendees,
            "status": s.status,
            "source": s.source,
        }
        for s in rows[:MAX_SESSIONS]
    ]
    clean: list[dict[str, Any]] = redact(found)
    return clean


def _smoke(results: list[SmokeResult]) -> list[dict[str, Any]]:
    clean: list[dict[str, Any]] = redact([dict(r) for r in results[:MAX_SMOKE]])
    return clean
