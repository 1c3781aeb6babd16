"""What the collectors know about one lab, as the evidence bundle's sections and the
investigation agent's tools read it: its pool, its catalog item's failed automation jobs, its
sessions and its smoke tests. Read through `collectors.selectors` and `forecasting.selectors`;
every value is redacted here (a job's error is text from outside) and each list is bounded."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from collectors.selectors import aap_failures_for, lab_code_of, smoke_results_for
from forecasting.selectors import lab_pool_state, lab_sessions
from labs.models import LabInstance
from stargate.lib.redact import redact

JOBS_SINCE = timedelta(days=2)
MAX_JOBS = 3
FIELD_CHARS = 150  # a job's name, task and error: three jobs fit a bundle section
MAX_SESSIONS = 5
MAX_SMOKE = 3


def pool_section(
    lab: LabInstance, now: datetime | None = None, code: str | None = None
) -> dict[str, Any] | None:
    """The lab's pool: available, ready, min, max unready, status, velocity, recent snapshots."""
    state = lab_pool_state(lab.lab, lab_code_of(lab) if code is None else code, now=now)
    return redact(state) if state is not None else None


def jobs_section(
    lab: LabInstance, now: datetime | None = None, code: str | None = None
) -> dict[str, Any] | None:
    """The catalog item's failed AAP jobs of the last 2 days: count, top error, the newest."""
    since = (now or timezone.now()) - JOBS_SINCE
    code = lab_code_of(lab) if code is None else code
    jobs = aap_failures_for(lab.lab, code, since=since, limit=20)
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


def sessions_section(lab: LabInstance, now: datetime | None = None) -> list[dict[str, Any]]:
    """The lab's sessions running now or starting within 7 days, with their attendees."""
    now = now or timezone.now()
    rows = lab_sessions(lab.lab, cluster=lab.cluster, now=now)[:MAX_SESSIONS]
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
        for s in rows
    ]
    clean: list[dict[str, Any]] = redact(found)
    return clean


def smoke_section(lab: LabInstance, now: datetime | None = None) -> list[dict[str, Any]]:
    """The lab's smoke-test results of the last 2 days, newest first."""
    results = smoke_results_for([lab], now).get(lab.pk, [])[:MAX_SMOKE]
    clean: list[dict[str, Any]] = redact([dict(r) for r in results])
    return clean


def collected_sections(lab: LabInstance, now: datetime | None = None) -> dict[str, Any]:
    """The bundle's sections fed by the collectors, only those with something in them."""
    code = lab_code_of(lab)
    sections = {
        "automation_jobs": jobs_section(lab, now, code),
        "pool": pool_section(lab, now, code),
        "sessions": sessions_section(lab, now),
        "smoke_tests": smoke_section(lab, now),
    }
    return {name: value for name, value in sections.items() if value}
