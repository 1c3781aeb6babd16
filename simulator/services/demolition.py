"""Demolition smoke tests (spec 9): `GET /integration/sessions` and `.../{id}/status`;
optional auth header. One session per lab code (but one: no smoke result yet); the one of
`FAILING_ITEM` fails. `push_external_evidence` posts the spec's inbound push shape to StarGate."""

from __future__ import annotations

import hmac
import random
from datetime import timedelta
from typing import Any

import httpx
from aiohttp import web

from simulator import catalog
from simulator.generator import Fleet
from simulator.services.base import ServiceServer, json_response

FAILING_ITEM = "rhel-ai-workshop"
UNTESTED_ITEM = "devspaces-intro"
PUSH_PATH = "/integration/external-evidence"
PUSH_FIELDS = (
    "source",
    "lab_code",
    "cluster_name",
    "outcome",
    "workshop_url",
    "error_summary",
    "session_id",
    "session_name",
    "steps_passed",
    "steps_failed",
)


def demolition_data(fleet: Fleet) -> dict[str, Any]:
    rng = random.Random(f"{fleet.spec.seed}:demolition")
    rows = []
    for i, item in enumerate(catalog.items()):
        if item == UNTESTED_ITEM:
            continue
        workers = 12 if i % 2 == 0 else 4
        total = workers * rng.randint(1, 3)
        failed = total // 2 if item == FAILING_ITEM else 0
        rows.append(
            {
                "id": 700 + i,
                "name": f"{catalog.lab_code(item)} {item} smoke",
                "status": "completed",
                "worker_count": workers,
                "workshop_url": f"https://{catalog.EVENT}.demo.sim.example.com/workshop/{item}",
                "created_at": (fleet.now - timedelta(hours=2 + i)).isoformat(),
                "last_result": {
                    "total": total,
                    "completed": total - failed,
                    "failed": failed,
                    "finished_at": (fleet.now - timedelta(hours=1 + i)).isoformat(),
                },
                "webhook_token": "demo_sim_FAKE_TOKEN_abcdef0123456789",
            }
        )
    rows.append(
        {
            "id": 799,
            "name": "scale test (no result yet)",
            "status": "pending",
            "worker_count": 0,
            "workshop_url": None,
        }
    )
    return {"sessions": rows, "auth_header": "", "auth_token": ""}


class DemolitionServer(ServiceServer):
    kind = "demolition"

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/integration/sessions", self._sessions),
            web.get("/integration/sessions/{id}/status", self._status),
        ]

    def authorized(self, request: web.Request) -> bool:
        header, token = self.data.get("auth_header"), self.data.get("auth_token")
        if not header or not token:
            return True
        return hmac.compare_digest(request.headers.get(header, "").encode(), str(token).encode())

    def credentials(self) -> dict[str, Any]:
        return {"auth_header": self.data["auth_header"], "auth_token": self.data["auth_token"]}

    async def _sessions(self, request: web.Request) -> web.Response:
        return json_response(self.data["sessions"])

    async def _status(self, request: web.Request) -> web.Response:
        for row in self.data["sessions"]:
            if str(row["id"]) == request.match_info["id"]:
                return json_response(row)
        return self.error(404, "Session not found")


def external_evidence(
    session: dict[str, Any], cluster_name: str, **overrides: Any
) -> dict[str, Any]:
    """The inbound push body (spec 9) for one Demolition session."""
    result = session.get("last_result") or {}
    failed, passed = int(result.get("failed", 0)), int(result.get("completed", 0))
    lab_code = str(session["name"]).split(" ")[0]
    body: dict[str, Any] = {
        "source": "demolition",
        "lab_code": lab_code,
        "cluster_name": cluster_name,
        "outcome": "fail" if failed else "pass",
        "workshop_url": session.get("workshop_url") or "",
        "error_summary": f"{failed} of {failed + passed} steps failed" if failed else "",
        "session_id": str(session["id"]),
        "session_name": session["name"],
        "steps_passed": passed,
        "steps_failed": failed,
    }
    body.update(overrides)
    return body


def push_external_evidence(
    stargate_url: str, api_key: str, body: dict[str, Any], client: httpx.Client | None = None
) -> httpx.Response:
    """POST one result to StarGate's inbound endpoint, as Demolition does (bearer API key)."""
    missing = [name for name in PUSH_FIELDS if name not in body]
    if missing:
        raise ValueError(f"missing fields: {', '.join(missing)}")
    own = client is None
    http = client or httpx.Client(timeout=15)
    try:
        return http.post(
            f"{stargate_url.rstrip('/')}{PUSH_PATH}",
            json=body,
            headers={"Authorization": f"Bearer {api_key}"},
        )
    finally:
        if own:
            http.close()
