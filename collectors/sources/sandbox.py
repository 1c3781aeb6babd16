"""The Sandbox API (platform-contracts 10): its metrics text and its placements.

The metrics scrape needs no auth; placements need a login token, exchanged at `/api/v1/login`
for an access token (logging in again once on a 401). The deployment's replicas come from the
Babylon collector's read of the hub (`sandbox_api_replicas` in its summary).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import httpx
from django.db import transaction

from collectors.conf import SourceSettings
from collectors.http import SourceError, client_for, fetch, fetch_json, obj, rows_of
from collectors.models import (
    ProvisionRecord,
    SandboxMetrics,
    SandboxPlacement,
    SourceName,
    SourceState,
)
from collectors.runner import Collected
from stargate.lib.redact import redact

LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)")
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
MAX_LOOKUPS = 200
DISPLAY_KEYS = ("service_display_name", "catalog_item_display_name", "catalog_item", "service_name")


def parse_metrics(text: str) -> list[tuple[str, dict[str, str], float]]:
    """Prometheus text exposition: `#` lines ignored, labels parsed; a bad line is a parse error."""
    samples = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = LINE.match(line)
        if match is None:
            raise SourceError("parse", f"metrics line {number} is not a sample")
        try:
            value = float(match.group(4))
        except ValueError as exc:
            raise SourceError("parse", f"metrics line {number}: not a number") from exc
        samples.append((match.group(1), dict(LABEL.findall(match.group(3) or "")), value))
    return samples


def health_of(samples: list[tuple[str, dict[str, str], float]]) -> dict[str, Any]:
    plain = {name: value for name, labels, value in samples if not labels}
    limits: dict[str, dict[str, int]] = {}
    for name, labels, value in samples:
        cluster = labels.get("cluster")
        if cluster and name == "sandbox_ratelimit_available_slots":
            limits.setdefault(cluster, {})["available"] = int(value)
        elif cluster and name == "sandbox_ratelimit_max":
            limits.setdefault(cluster, {})["max"] = int(value)
    return {
        "api_healthy": True,
        "db_connections_active": int(plain.get("sandbox_pg_connections_active", 0)),
        "db_connections_idle": int(plain.get("sandbox_pg_connections_idle", 0)),
        "queue_depth": int(plain.get("sandbox_queued_placements_total", 0)),
        "queued_resources": int(plain.get("sandbox_queued_resources_total", 0)),
        "ratelimit_by_cluster": limits,
    }


def collect(source: SourceSettings, now: datetime) -> Collected:
    base = str(source.option("url")).rstrip("/")
    metrics_url = str(source.option("metrics_url") or f"{base}/metrics")
    with client_for(source) as client:
        health = health_of(parse_metrics(fetch(client, metrics_url).text))
        placements = (
            _placements(client, base, str(source.option("login_token")))
            if (base and source.option("login_token"))
            else []
        )
    replicas = _replicas()
    with transaction.atomic():
        SandboxMetrics.objects.create(captured_at=now, **health, **replicas)
        for row in placements:
            _placement_store(row, now)
    summary = {**health, **replicas, "placements": len(placements), "timestamp": now.isoformat()}
    return Collected(items=len(placements) + 1, summary=summary)


def _placements(client: httpx.Client, base: str, login_token: str) -> list[dict[str, Any]]:
    """All placements with an admin token; with another, one lookup per service UUID the Babylon
    collector saw (the list is for admin tokens only: 403)."""
    for attempt in range(2):  # on a 401, log in again once
        headers = {"Authorization": f"Bearer {_login(client, base, login_token)}"}
        try:
            body = fetch_json(client, f"{base}/api/v1/placements", headers=headers)
        except SourceError as exc:
            if exc.status == 403:
                return _placements_one_by_one(client, base, headers)
            if exc.kind == "auth" and attempt == 0:
                continue
            raise
        return rows_of(body, "placements", "items")
    return []


def _placements_one_by_one(
    client: httpx.Client, base: str, headers: dict[str, str]
) -> list[dict[str, Any]]:
    uuids = (
        ProvisionRecord.objects.exclude(service_uuid="")
        .order_by("service_uuid")
        .values_list("service_uuid", flat=True)
        .distinct()[:MAX_LOOKUPS]
    )
    found = []
    for uuid in uuids:
        try:
            body = fetch_json(client, f"{base}/api/v1/placements/{uuid}", headers=headers)
        except SourceError as exc:
            if exc.status == 404:
                continue
            raise
        if isinstance(body, dict):
            found.append(body)
    return found


def _login(client: httpx.Client, base: str, login_token: str) -> str:
    body = fetch_json(
        client, f"{base}/api/v1/login", headers={"Authorization": f"Bearer {login_token}"}
    )
    if not isinstance(body, dict) or not body.get("access_token"):
        raise SourceError("parse", "login answer without access_token")
    return str(body["access_token"])


def _placement_store(row: dict[str, Any], now: datetime) -> None:
    uuid = str(row.get("service_uuid") or "")
    if not uuid:
        return
    notes = obj(row.get("annotations"))
    display = next((str(notes[k]) for k in DISPLAY_KEYS if notes.get(k)), "")
    resources = [
        {
            k: v
            for k, v in r.items()
            if k in ("kind", "name", "available", "to_cleanup", "ocp_cluster", "namespace")
        }
        for r in row.get("resources") or []
        if isinstance(r, dict)
    ]
    SandboxPlacement.objects.update_or_create(
        service_uuid=uuid[:63],
        defaults={
            "status": str(row.get("status") or "")[:40],
            "guid": str(notes.get("guid") or "")[:63],
            "env_type": str(notes.get("env_type") or "")[:200],
            "display_name": display[:253],
            "owner": str(notes.get("owner") or notes.get("owner_email") or "")[:253],
            "cloud_hint": str(notes.get("comment") or "")[:50],
            "resources": resources,
            "annotations": redact({str(k): str(v)[:500] for k, v in notes.items()}),
            "created_at_source": _time(row.get("created_at")),
            "updated_at_source": _time(row.get("updated_at")),
            "seen_at": now,
        },
    )


def _replicas() -> dict[str, int | None]:
    state = SourceState.objects.filter(name=SourceName.BABYLON).first()
    found = (state.summary if state else {}).get("sandbox_api_replicas") or {}
    return {"replicas_desired": found.get("desired"), "replicas_ready": found.get("ready")}


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
