"""Demolition smoke tests (platform-contracts 9), pulled: each session's latest run becomes a
`SmokeTestResult` (`source=pull`) of its lab, the smoke-test evidence the `smoke-test-ready`
rubric judges (`collectors.evidence`)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any

from django.db import transaction

from collectors.conf import SourceSettings, event_prefix
from collectors.http import client_for, fetch_json, obj, rows_of
from collectors.models import ScheduledLab, SmokeTestResult
from collectors.runner import Collected, mask

LAB_CODE = re.compile(r"lb\d{4}", re.IGNORECASE)


def collect(source: SourceSettings, now: datetime) -> Collected:
    base = str(source.option("url")).rstrip("/")
    headers = {}
    if source.option("auth_header") and source.option("auth_token"):
        headers[str(source.option("auth_header"))] = str(source.option("auth_token"))
    with client_for(source, headers) as client:
        rows = rows_of(fetch_json(client, f"{base}/integration/sessions"), "sessions", "results")
    prefix = event_prefix().lower()
    if prefix:
        rows = [
            r
            for r in rows
            if prefix in str(r.get("name", "")).lower()
            or prefix in str(r.get("workshop_url") or "").lower()
        ]
    results = [_result(row, now) for row in rows if row.get("id") is not None]
    _store(results)
    return Collected(items=len(results), summary=_summary(rows, now))


def _result(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    last = obj(row.get("last_result"))
    total, completed, failed = (_int(last.get(k)) for k in ("total", "completed", "failed"))
    passed = False if failed > 0 else True if completed > 0 else None
    name = str(row.get("name") or "")
    match = LAB_CODE.search(name)
    code = match.group(0).upper() if match else ""
    finished = _time(last.get("finished_at")) or now
    return {
        "session_id": str(row["id"]),
        "session_name": name[:253],
        "lab_code": code,
        "status": str(row.get("status") or "")[:40],
        "workshop_url": str(row.get("workshop_url") or "")[:400],
        "worker_count": _int(row.get("worker_count")),
        "total": total,
        "completed": completed,
        "failed": failed,
        "steps_passed": completed,
        "steps_failed": failed,
        "passed": passed,
        "error_summary": mask(f"{failed} of {total} runs failed") if failed else "",
        "finished_at": finished,
    }


@transaction.atomic
def _store(results: list[dict[str, Any]]) -> None:
    labs = {
        s.lab_code: s.lab
        for s in ScheduledLab.objects.filter(lab_code__in=[r["lab_code"] for r in results])
        .select_related("lab")
        .exclude(lab=None)
    }
    for row in results:
        lab = labs.get(row["lab_code"])
        SmokeTestResult.objects.update_or_create(
            source=SmokeTestResult.Source.PULL,
            session_id=row["session_id"],
            defaults={
                **{k: v for k, v in row.items() if k != "session_id"},
                "reporter": "demolition",
                "lab": lab,
                "catalog_item": lab.catalog_item if lab else "",
            },
        )


def _summary(rows: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    runs = passed = failed = 0
    failing: list[dict[str, Any]] = []
    for row in rows:
        last = obj(row.get("last_result"))
        total, completed, fails = (_int(last.get(k)) for k in ("total", "completed", "failed"))
        runs, passed, failed = runs + total, passed + completed, failed + fails
        if fails > 0:
            failing.append(
                {
                    "id": row.get("id"),
                    "name": str(row.get("name") or "")[:60],
                    "status": row.get("status"),
                    "workers": _int(row.get("worker_count")),
                    "completed": completed,
                    "failed": fails,
                    "total": total,
                    "failure_rate": round(fails / max(total, 1) * 100, 1),
                }
            )
    failing.sort(key=lambda f: -float(f["failure_rate"]))
    return {
        "timestamp": now.isoformat(),
        "total_sessions": len(rows),
        "status_counts": dict(Counter(str(r.get("status")) for r in rows)),
        "total_runs": runs,
        "total_passed": passed,
        "total_failed": failed,
        "overall_pass_rate": round(passed / max(runs, 1) * 100, 1),
        "failing_sessions": failing[:20],
    }


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
