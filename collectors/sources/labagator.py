"""Labagator (platform-contracts 6) and its fallback Launchpad (7.1): the event's labs and sessions.

Sessions become `forecasting.Session` rows with `source` set: a cycle upserts its own rows by
`external_id` and deletes its own rows that the source no longer lists; sessions entered by hand
(`source=manual`) are never touched. A session's end is its start plus the session length
setting (default 4 h), as neither source gives one.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction

from collectors.conf import SourceSettings, session_length_hours
from collectors.http import SourceError, client_for, fetch_json, pages, rows_of
from collectors.mappings import labagator_mappings_refresh
from collectors.models import ScheduledLab, SourceName
from collectors.runner import Collected
from forecasting.models import Session
from labs.models import Lab

UPCOMING_HOURS = 24
UPCOMING_MAX = 20


def collect(source: SourceSettings, now: datetime) -> Collected:
    base = str(source.option("url")).rstrip("/")
    headers = {}
    if source.option("auth_header") and source.option("auth_token"):
        headers[str(source.option("auth_header"))] = str(source.option("auth_token"))
    params: dict[str, Any] = {}
    if source.option("event_id"):
        params["event_id"] = source.option("event_id")
    with client_for(source, headers) as client:
        lab_rows = list(
            pages(
                client,
                f"{base}/labs/",
                "results",
                "labs",
                params={"limit": source.option("page_size", 200), **params},
            )
        )
        session_rows = list(
            pages(
                client,
                f"{base}/room-sessions/",
                "results",
                "sessions",
                params={"limit": source.option("page_size", 500), **params},
            )
        )
    labs = [_lab_row(row) for row in lab_rows if row.get("lab_code")]
    sessions = [s for s in (_session_row(row) for row in session_rows) if s is not None]
    collected = _store(SourceName.LABAGATOR, labs, sessions, now)
    # Labagator configured: the fallback's rows are no longer current
    Session.objects.filter(source=SourceName.LAUNCHPAD).delete()
    ScheduledLab.objects.filter(source=SourceName.LAUNCHPAD).delete()
    collected.summary["mappings"] = labagator_mappings_refresh(now)
    return collected


def collect_launchpad(source: SourceSettings, now: datetime) -> Collected:
    base = str(source.option("url")).rstrip("/")
    headers = {"X-API-Key": str(source.option("api_key"))} if source.option("api_key") else {}
    with client_for(source, headers) as client:
        catalog = rows_of(fetch_json(client, f"{base}/catalog"), "items")
        session_rows = rows_of(fetch_json(client, f"{base}/lab-sessions"), "sessions")
    labs = [
        {
            "lab_code": str(row["catalog_item_id"]),
            "title": str(row.get("display_name") or row["catalog_item_id"]),
            "status": str(row.get("status") or "active"),
            "cloud": "openshift",
            "deploy_mode": str(row.get("provision_method") or "direct"),
            "ci_name": str(row.get("babylon_catalog_item") or row["catalog_item_id"]),
        }
        for row in catalog
        if row.get("catalog_item_id")
    ]
    sessions = [s for s in (_launchpad_session(row) for row in session_rows) if s is not None]
    return _store(SourceName.LAUNCHPAD, labs, sessions, now)


def _lab_row(row: dict[str, Any]) -> dict[str, str]:
    return {
        key: str(row.get(key) or "")
        for key in ("lab_code", "title", "status", "cloud", "deploy_mode", "ci_name")
    }


def _session_row(row: dict[str, Any]) -> dict[str, Any] | None:
    try:
        day = date.fromisoformat(str(row["session_date"])[:10])
        clock = time.fromisoformat(str(row["start_time"]))
    except (KeyError, ValueError):
        return None
    starts_at = datetime.combine(day, clock, tzinfo=_event_zone())
    code = str(row.get("lab_code") or "")
    external = str(row.get("id") or f"{code}:{day}:{clock}:{row.get('room', '')}")
    return {
        "external_id": external,
        "lab_code": code,
        "starts_at": starts_at,
        "has_start_time": True,
        "attendees": _int(row.get("attendees")),
        "room": str(row.get("room") or ""),
        "status": str(row.get("status") or ""),
    }


def _launchpad_session(row: dict[str, Any]) -> dict[str, Any] | None:
    """No start time: the session counts as already started (created_at), never as upcoming."""
    try:
        created = datetime.fromisoformat(str(row["created_at"]).replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    if created.tzinfo is None:
        created = created.replace(tzinfo=ZoneInfo("UTC"))
    return {
        "external_id": str(row.get("session_id") or f"{row.get('catalog_item_id')}:{created}"),
        "lab_code": str(row.get("catalog_item_id") or ""),
        "starts_at": created,
        "has_start_time": False,
        "attendees": 1,
        "room": str(row.get("namespace") or ""),
        "status": str(row.get("state") or "active"),
    }


def _store(
    source: str, labs: list[dict[str, str]], sessions: list[dict[str, Any]], now: datetime
) -> Collected:
    length = timedelta(hours=session_length_hours())
    with transaction.atomic():
        by_code = {lab["lab_code"]: _scheduled_lab(source, lab, now) for lab in labs}
        ScheduledLab.objects.filter(source=source).exclude(lab_code__in=by_code).delete()
        kept = []
        for row in sessions:
            scheduled = by_code.get(row["lab_code"])
            lab = scheduled.lab if scheduled is not None else _lab_for(row["lab_code"], "")
            if lab is None:
                continue
            Session.objects.update_or_create(
                source=source,
                external_id=row["external_id"],
                defaults={
                    "lab": lab,
                    "name": f"{row['lab_code']} {row['room']}".strip(),
                    "starts_at": row["starts_at"],
                    "ends_at": row["starts_at"] + length,
                    "lab_code": row["lab_code"],
                    "attendees": row["attendees"],
                    "room": row["room"],
                    "status": row["status"],
                    "has_start_time": row["has_start_time"],
                },
            )
            kept.append(row["external_id"])
        removed, _ = Session.objects.filter(source=source).exclude(external_id__in=kept).delete()
    return Collected(items=len(labs) + len(kept), summary=_summary(labs, sessions, now, removed))


def _scheduled_lab(source: str, row: dict[str, str], now: datetime) -> ScheduledLab:
    lab = _lab_for(row["lab_code"], row["ci_name"], row["title"])
    scheduled, _ = ScheduledLab.objects.update_or_create(
        source=source,
        lab_code=row["lab_code"],
        defaults={
            **{k: v[:253] for k, v in row.items() if k != "lab_code"},
            "lab": lab,
            "seen_at": now,
        },
    )
    return scheduled


def short_name(ci_name: str) -> str:
    """`<event>.<slug>` → slug; `<account>.<short>.<stage>` → short; a bare name stays."""
    parts = ci_name.split(".")
    if len(parts) >= 3:
        return parts[1]
    return parts[-1]


def _lab_for(lab_code: str, ci_name: str, title: str = "") -> Lab | None:
    """The catalog entry a scheduled lab delivers: by its slug, else created so that its
    sessions are kept (a lab scheduled before any instance was scanned)."""
    if not ci_name:
        return None
    slug = short_name(ci_name)
    lab = Lab.objects.filter(catalog_item__in=[slug, ci_name]).first()
    if lab is None:
        lab, _ = Lab.objects.get_or_create(
            catalog_item=slug, defaults={"display_name": title[:200]}
        )
    return lab


def _summary(
    labs: list[dict[str, str]], sessions: list[dict[str, Any]], now: datetime, removed: int
) -> dict[str, Any]:
    upcoming = sorted(
        (s for s in sessions if s["has_start_time"] and now < s["starts_at"]),
        key=lambda s: s["starts_at"],
    )
    upcoming = [s for s in upcoming if s["starts_at"] - now < timedelta(hours=UPCOMING_HOURS)]
    return {
        "timestamp": now.isoformat(),
        "total_labs": len(labs),
        "total_sessions": len(sessions),
        "removed_sessions": removed,
        "status_counts": dict(Counter(lab["status"] for lab in labs)),
        "cloud_counts": dict(Counter(lab["cloud"] for lab in labs)),
        "upcoming_sessions": [
            {
                "lab_code": s["lab_code"],
                "room": s["room"],
                "attendees": s["attendees"],
                "starts_at": s["starts_at"].isoformat(),
                "hours_until": round((s["starts_at"] - now).total_seconds() / 3600, 1),
                "status": s["status"],
            }
            for s in upcoming[:UPCOMING_MAX]
        ],
    }


def _event_zone() -> ZoneInfo:
    name = getattr(settings, "EVENT_TIMEZONE", None) or os.environ.get(
        "STARGATE_EVENT_TIMEZONE", "UTC"
    )
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SourceError("config", f"unknown event time zone {name!r}") from exc


def _int(value: Any) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0
