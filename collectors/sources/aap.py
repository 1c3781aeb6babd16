"""Automation controllers, API v2 (platform-contracts 8): failed jobs of the last 24 h with their
failing task and error, job counts and the provision SLI.

Each configured controller `{name, url, user, password}` (Basic) or `{name, url, token}` (Bearer)
is read in turn; one that fails is reported in the summary while the others' jobs are kept, and
the cycle fails only when every controller failed.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.db import transaction

from collectors.conf import SourceSettings, controllers, event_prefix
from collectors.http import SourceError, client_for, fetch_json, pages
from collectors.models import AapJob, AapSnapshot
from collectors.runner import Collected, mask

WINDOW_HOURS = 24
MAX_RESULTS = 500
EVENT_LOOKUPS = 50
TASK = re.compile(r"TASK \[([^\]]+)\]")
CLUSTER = re.compile(r"ocpv\d+|ocp-[\w-]+")


def collect(source: SourceSettings, now: datetime) -> Collected:
    cutoff = (now - timedelta(hours=WINDOW_HOURS)).strftime("%Y-%m-%dT%H:%M:%S")
    jobs: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    errors: dict[str, str] = {}
    first_error: SourceError | None = None
    for controller in controllers(source.options):
        if not controller.get("url") or not (controller.get("password") or controller.get("token")):
            continue
        try:
            found, counted = _controller(source, controller, cutoff)
        except SourceError as exc:
            errors[str(controller.get("name"))] = mask(str(exc))
            first_error = first_error or exc
            continue
        jobs += found
        counts.update(counted)
    if first_error is not None and len(errors) == len(
        [c for c in controllers(source.options) if c.get("url")]
    ):
        raise first_error
    summary = _summary(jobs, counts, now, errors)
    _store(jobs, summary, now)
    return Collected(items=len(jobs), summary=summary)


def _controller(
    source: SourceSettings, controller: dict[str, Any], cutoff: str
) -> tuple[list[dict[str, Any]], Counter[str]]:
    base = str(controller["url"]).rstrip("/")
    auth: httpx.Auth | None = None
    headers = {}
    if controller.get("token"):
        headers["Authorization"] = f"Bearer {controller['token']}"
    else:
        auth = httpx.BasicAuth(
            str(controller.get("user") or "monitor"), str(controller["password"])
        )
    jobs_url = f"{base}/api/v2/jobs/"
    with client_for(source, headers, auth) as client:
        failed = list(
            pages(
                client,
                jobs_url,
                "results",
                params={"status": "failed", "finished__gt": cutoff, "page_size": 200},
                limit=MAX_RESULTS,
                same_host=True,
            )
        )
        counts: Counter[str] = Counter()
        for key, query in _count_queries(cutoff).items():
            body = fetch_json(client, jobs_url, params={**query, "page_size": 1})
            if not isinstance(body, dict) or not isinstance(body.get("count"), int):
                raise SourceError("parse", f"{base}: a job count without `count`")
            counts[key] = body["count"]
        lookups: dict[str, dict[str, Any] | None] = {}
        return [_job(client, base, controller, row, lookups) for row in failed], counts


def _count_queries(cutoff: str) -> dict[str, dict[str, str]]:
    return {
        "successful": {"status": "successful", "finished__gt": cutoff},
        "failed": {"status": "failed", "finished__gt": cutoff},
        "running": {"status": "running"},
        "provision_total": {"finished__gt": cutoff, "name__contains": "provision"},
        "provision_successful": {
            "finished__gt": cutoff,
            "name__contains": "provision",
            "status": "successful",
        },
    }


def _job(
    client: httpx.Client,
    base: str,
    controller: dict[str, Any],
    row: dict[str, Any],
    lookups: dict[str, dict[str, Any] | None],
) -> dict[str, Any]:
    name = str(row.get("name") or "")
    kind = "provision" if "provision" in name else "destroy" if "destroy" in name else "other"
    catalog_item = ".".join(name.split(".")[:2])
    traceback = str(row.get("result_traceback") or "")
    explanation = str(row.get("job_explanation") or "")
    tasks = TASK.findall(traceback)
    lines = [line for line in traceback.splitlines() if line.strip()]
    task, error = (tasks[-1] if tasks else ""), (lines[-1][:200] if lines else "")
    if not task and not explanation:
        event = _failed_event(client, base, row, f"{catalog_item}_{kind}", lookups)
        task = str((event or {}).get("task") or "")
        if not error:
            error = str(((event or {}).get("event_data") or {}).get("res", {}).get("msg", ""))[:200]
    elapsed = _float(row.get("elapsed"))
    return {
        "controller": str(controller.get("name") or base),
        "job_id": int(row["id"]),
        "name": name[:400],
        "status": str(row.get("status") or "failed"),
        "kind": kind,
        "lab_code": _lab_code(name),
        "catalog_item": catalog_item[:253],
        "cluster": _cluster(row.get("extra_vars")),
        "failing_task": (task or explanation[:100] or "Unknown task")[:400],
        "error": mask(error or explanation[:200] or "Unknown error")[:400],
        "started": _time(row.get("started")),
        "finished": _time(row.get("finished")),
        "duration_minutes": round(elapsed / 60, 1),
        "job_url": f"{base}/#/jobs/{row['id']}/output",
    }


def _failed_event(
    client: httpx.Client,
    base: str,
    row: dict[str, Any],
    key: str,
    lookups: dict[str, dict[str, Any] | None],
) -> dict[str, Any] | None:
    if key in lookups or len(lookups) >= EVENT_LOOKUPS:
        return lookups.get(key)
    body = fetch_json(
        client,
        f"{base}/api/v2/jobs/{row['id']}/job_events/",
        params={"event": "runner_on_failed", "page_size": 3},
        timeout=10.0,
    )
    results = body.get("results") if isinstance(body, dict) else None
    lookups[key] = results[0] if isinstance(results, list) and results else None
    return lookups[key]


def _lab_code(name: str) -> str:
    prefix = event_prefix() or str(getattr(settings, "COLLECTORS_EVENT_PREFIX", ""))
    if prefix:
        pattern = rf"(?:{re.escape(prefix)}\.)?(lb\d{{4}}|zt-[a-z]+|launchpad-[a-z]+)"
    else:
        pattern = r"(?:\w+\.)(lb\d{4}|zt-[a-z-]+|launchpad-[a-z-]+)"
    match = re.search(pattern, name, re.IGNORECASE)
    return match.group(1).upper() if match else ""


def _cluster(extra_vars: Any) -> str:
    """From `bastion_ansible_host` or `target_host` (without `ssh.`, first dot segment)."""
    try:
        values = json.loads(extra_vars) if isinstance(extra_vars, str) else extra_vars
    except ValueError:
        return ""
    if not isinstance(values, dict):
        return ""
    host = str(values.get("bastion_ansible_host") or values.get("target_host") or "")
    if host:
        return host.removeprefix("ssh.").split(".")[0][:253]
    for value in values.values():
        if isinstance(value, str) and (match := CLUSTER.search(value)):
            return match.group(0)[:253]
    return ""


def _summary(
    jobs: list[dict[str, Any]], counts: Counter[str], now: datetime, errors: dict[str, str]
) -> dict[str, Any]:
    total = counts["successful"] + counts["failed"] + counts["running"]
    sli_target = float(getattr(settings, "AAP_PROVISION_SLI_TARGET", 93.0))
    sli = (
        round(counts["provision_successful"] / counts["provision_total"] * 100, 1)
        if counts["provision_total"]
        else 0.0
    )
    groups: dict[str, dict[str, Any]] = {}
    by_cluster: dict[str, Counter[str]] = defaultdict(Counter)
    by_lab: dict[str, dict[str, Any]] = {}
    for job in jobs:
        group = groups.setdefault(
            job["failing_task"],
            {
                "failing_task": job["failing_task"],
                "error": job["error"],
                "type": job["kind"],
                "count": 0,
                "clusters": [],
                "labs": [],
            },
        )
        group["count"] += 1
        lab = job["lab_code"] or job["catalog_item"]
        for key, value in (("clusters", job["cluster"]), ("labs", lab)):
            if value and value not in group[key]:
                group[key].append(value)
        by_cluster[job["cluster"] or "unknown"].update(["total", job["kind"]])
        entry = by_lab.setdefault(
            lab or "unknown",
            {
                "total": 0,
                "provision": 0,
                "destroy": 0,
                "other": 0,
                "top_error": job["failing_task"],
            },
        )
        entry["total"] += 1
        entry[job["kind"]] += 1
    top = sorted(groups.values(), key=lambda g: -g["count"])[:20]
    return {
        "summary": {
            "total_jobs": total,
            "successful": counts["successful"],
            "failed": counts["failed"],
            "running": counts["running"],
            "success_rate": round(counts["successful"] / max(total, 1) * 100, 1),
            "provision_total": counts["provision_total"],
            "provision_successful": counts["provision_successful"],
            "provision_sli": sli,
            "provision_sli_target": sli_target,
            "sli_met": sli >= sli_target,
            "failed_24h": len(jobs),
        },
        "top_errors": top,
        "by_cluster": {
            k: {
                "total": v["total"],
                "provision": v["provision"],
                "destroy": v["destroy"],
                "other": v["other"],
            }
            for k, v in by_cluster.items()
        },
        "by_lab": by_lab,
        "controller_errors": errors,
        "collected_at": now.isoformat(),
    }


@transaction.atomic
def _store(jobs: list[dict[str, Any]], summary: dict[str, Any], now: datetime) -> None:
    for job in jobs:
        AapJob.objects.update_or_create(
            controller=job["controller"],
            job_id=job["job_id"],
            defaults={
                **{k: v for k, v in job.items() if k not in ("controller", "job_id")},
                "seen_at": now,
            },
        )
    head = summary["summary"]
    AapSnapshot.objects.create(
        captured_at=now,
        total_jobs=head["total_jobs"],
        successful=head["successful"],
        failed=head["failed"],
        running=head["running"],
        success_rate=head["success_rate"],
        provision_total=head["provision_total"],
        provision_successful=head["provision_successful"],
        provision_sli=head["provision_sli"],
        sli_target=head["provision_sli_target"],
        sli_met=head["sli_met"],
        failed_24h=head["failed_24h"],
        top_error=(summary["top_errors"][0]["failing_task"] if summary["top_errors"] else "")[:400],
        by_cluster=summary["by_cluster"],
        by_lab=summary["by_lab"],
        top_errors=summary["top_errors"],
    )


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0
