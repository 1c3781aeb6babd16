"""Labagator (spec 6) and the Launchpad fallback schedule (spec 7.1).

Labagator: `GET /labs/`, `/room-sessions/`, `/events/`, `/ops/dashboard/{event_id}`; paged with
`limit`/`offset` and an absolute `next` (data key `envelope`: "results" (default), "labs" /
"sessions", or "list" for bare lists); optional auth header (`auth_header`, `auth_token`).
Launchpad: `GET /catalog`, `/lab-sessions`, header `X-API-Key`.
"""

from __future__ import annotations

import hmac
import random
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from simulator import catalog
from simulator.generator import Fleet
from simulator.services.base import ServiceServer, json_response, page_url

EVENT_ID = 42
ROOMS = ("Room 201", "Room 204", "Hall B", "Room 310", "Expo Lab 2")
OPS = ("alice", "bruno", "chen", "dana")
STATUSES = {"devspaces-intro": "planning", "openshift-gitops": "development"}


def _session(
    item: str, start: datetime, attendees: int, index: int, seconds: bool
) -> dict[str, Any]:
    return {
        "id": 5000 + index,
        "event_id": EVENT_ID,
        "lab_code": catalog.lab_code(item),
        "session_date": start.strftime("%Y-%m-%d"),
        "start_time": start.strftime("%H:%M:%S" if seconds else "%H:%M"),
        "room": ROOMS[index % len(ROOMS)],
        "attendees": attendees,
        "status": "scheduled",
        "ops_deploy_person": OPS[index % len(OPS)],
        "notes": None,
    }


def sessions(fleet: Fleet) -> list[dict[str, Any]]:
    """Sessions in the coming hours: the exhausted pool's lab has 60 attendees in 90 minutes, the
    low pool's lab 30 in 3 h; every other lab 1-3 sessions within 20 h; one session yesterday."""
    rng = random.Random(f"{fleet.spec.seed}:labagator")
    base = fleet.now.replace(second=0, microsecond=0)
    plan: list[tuple[str, float, int]] = [
        (catalog.EXHAUSTED_ITEM, 1.5, 60),
        (catalog.EXHAUSTED_ITEM, 5.0, 40),
        (catalog.LOW_ITEM, 3.0, 30),
        (catalog.LOW_ITEM, -20.0, 25),
    ]
    for item in catalog.items():
        if item in (catalog.EXHAUSTED_ITEM, catalog.LOW_ITEM):
            continue
        for _ in range(rng.randint(1, 3)):
            plan.append((item, rng.randint(4, 40) / 2, rng.randrange(10, 55, 5)))
    return [
        _session(item, base + timedelta(hours=hours), attendees, i, seconds=i % 3 == 2)
        for i, (item, hours, attendees) in enumerate(plan)
    ]


def labs() -> list[dict[str, Any]]:
    return [
        {
            "id": 100 + i,
            "event_id": EVENT_ID,
            "lab_code": catalog.lab_code(item),
            "title": catalog.display_name(item),
            "status": STATUSES.get(item, "ready"),
            "cloud": catalog.labagator_cloud(item),
            "deploy_mode": "pool" if catalog.CATALOG[item] == "vm" else "on-demand",
            "ci_name": f"{catalog.EVENT}.{item}",
            "owner_email": "lab-owner@example.com",
            "api_key": "lbg_sim_FAKE_0123456789abcdef",  # secret-looking, to be redacted
        }
        for i, item in enumerate(catalog.items())
    ]


def labagator_data(fleet: Fleet) -> dict[str, Any]:
    return {
        "labs": labs(),
        "sessions": sessions(fleet),
        "events": [
            {
                "id": EVENT_ID,
                "name": "Summit 2026",
                "prefix": catalog.EVENT,
                "timezone": "UTC",
                "start_date": fleet.now.strftime("%Y-%m-%d"),
            }
        ],
        "envelope": "results",
        "auth_header": "",
        "auth_token": "",
    }


class LabagatorServer(ServiceServer):
    kind = "labagator"

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/labs/", self._listing("labs", "labs", 200)),
            web.get("/room-sessions/", self._listing("sessions", "sessions", 500)),
            web.get("/events/", self._events),
            web.get("/ops/dashboard/{event_id}", self._dashboard),
        ]

    def authorized(self, request: web.Request) -> bool:
        header, token = self.data.get("auth_header"), self.data.get("auth_token")
        if not header or not token:
            return True
        return hmac.compare_digest(request.headers.get(header, "").encode(), str(token).encode())

    def credentials(self) -> dict[str, Any]:
        return {"auth_header": self.data["auth_header"], "auth_token": self.data["auth_token"]}

    def _listing(self, key: str, alias: str, default_limit: int) -> Any:
        async def handler(request: web.Request) -> web.Response:
            rows = list(self.data[key])
            if "event_id" in request.query:
                rows = [r for r in rows if str(r.get("event_id")) == request.query["event_id"]]
            envelope = self.data.get("envelope", "results")
            if envelope == "list":
                return json_response(rows)
            limit = int(request.query.get("limit", default_limit))
            offset = int(request.query.get("offset", 0))
            query = {k: v for k, v in request.query.items() if k not in ("limit", "offset")}
            following = None
            if offset + limit < len(rows):
                path = "/no-such-page/" if self.broken_next(request) else request.path
                following = page_url(
                    self.url, path, {**query, "limit": limit, "offset": offset + limit}
                )
            previous = None
            if offset > 0:
                previous = page_url(
                    self.url,
                    request.path,
                    {**query, "limit": limit, "offset": max(offset - limit, 0)},
                )
            name = alias if envelope == alias else "results"
            return json_response(
                {
                    "count": len(rows),
                    "next": following,
                    "previous": previous,
                    name: rows[offset : offset + limit],
                }
            )

        return handler

    async def _events(self, request: web.Request) -> web.Response:
        return json_response(self.data["events"])

    async def _dashboard(self, request: web.Request) -> web.Response:
        event_id = request.match_info["event_id"]
        if not any(str(e["id"]) == event_id for e in self.data["events"]):
            return self.error(404, "Not found.")
        sessions = [s for s in self.data["sessions"] if str(s["event_id"]) == event_id]
        return json_response(
            {
                "event_id": int(event_id),
                "labs_total": len(self.data["labs"]),
                "sessions_total": len(sessions),
                "attendees_total": sum(s["attendees"] for s in sessions),
                "labs_by_status": _counts(lab["status"] for lab in self.data["labs"]),
            }
        )


def _counts(values: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def launchpad_data(fleet: Fleet, api_key: str) -> dict[str, Any]:
    """Launchpad's catalog (same items) and its sessions: one per lab of the fleet's first
    cluster, without start times (spec 7.1)."""
    catalog_rows = [
        {
            "catalog_item_id": catalog.lab_code(item),
            "display_name": catalog.display_name(item),
            "status": "active",
            "provision_method": "pool" if catalog.CATALOG[item] == "vm" else "direct",
            "babylon_catalog_item": catalog.full_name(item),
        }
        for item in catalog.items()
    ]
    catalog_rows[-1].pop("display_name")  # a missing optional field
    first = fleet.clusters[0] if fleet.clusters else ""
    rows = [
        {
            "session_id": f"lp-{lab.guid}",
            "catalog_item_id": catalog.lab_code(lab.catalog_item),
            "created_at": (fleet.now - timedelta(minutes=30 + lab.index)).isoformat(),
            "state": "failed" if lab.failure else "active",
            "namespace": lab.namespace,
            "cluster": lab.cluster,
        }
        for lab in fleet.labs
        if lab.cluster == first
    ]
    return {"catalog": catalog_rows, "sessions": rows, "api_key": api_key, "envelope": "object"}


class LaunchpadServer(ServiceServer):
    kind = "launchpad"

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/catalog", self._catalog), web.get("/lab-sessions", self._sessions)]

    def authorized(self, request: web.Request) -> bool:
        key = str(self.data.get("api_key") or "")
        return not key or hmac.compare_digest(
            request.headers.get("X-API-Key", "").encode(), key.encode()
        )

    def credentials(self) -> dict[str, Any]:
        return {"api_key": self.data["api_key"]}

    async def _catalog(self, request: web.Request) -> web.Response:
        rows = self.data["catalog"]
        return json_response({"items": rows} if self.data["envelope"] == "object" else rows)

    async def _sessions(self, request: web.Request) -> web.Response:
        rows = self.data["sessions"]
        return json_response({"sessions": rows} if self.data["envelope"] == "object" else rows)
