"""The Sandbox API (spec 10): `GET /metrics` (Prometheus text, no auth) and the `/api/v1`
placements API: `GET /api/v1/login` with the login token gives `{access_token,
access_token_exp}`; every other call needs `Bearer <access token>`. Errors are
`{message, http_code}`. A placement per fleet lab, keyed by the AnarchySubject's `job_vars.uuid`."""

from __future__ import annotations

import hmac
import secrets
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from simulator import catalog
from simulator.generator import Fleet
from simulator.services.base import ServiceServer, json_response

UNITS = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}


def service_uuid(guid: str) -> str:
    """The service UUID of a lab (as in its AnarchySubject's `job_vars.uuid`)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"sim-service/{guid}"))


def sandbox_data(fleet: Fleet, admin_token: str, user_token: str) -> dict[str, Any]:
    placements = {}
    for i, lab in enumerate(fleet.labs):
        key = service_uuid(lab.guid)
        created = fleet.now - timedelta(minutes=230 + i)
        status = "error" if lab.failure == "anarchy_provision_failed" else "success"
        placements[key] = {
            "service_uuid": key,
            "status": status,
            "created_at": created.isoformat(),
            "updated_at": (created + timedelta(minutes=12)).isoformat(),
            "resources": [
                {
                    "kind": "OcpSandbox",
                    "name": lab.namespace,
                    "available": False,
                    "to_cleanup": False,
                    "ocp_cluster": lab.cluster,
                    "namespace": lab.namespace,
                    "credentials": [
                        {"kind": "ServiceAccount", "token": "eyJhbGciOiJSUzI1NiJ9.sim.fake"}
                    ],
                }
            ],
            "annotations": {
                "guid": lab.guid,
                "env_type": lab.catalog_item,
                "catalog_item": catalog.full_name(lab.catalog_item),
                "service_display_name": catalog.display_name(lab.catalog_item),
                "owner_email": "sim-ops@example.com",
                "comment": f"{catalog.labagator_cloud(lab.catalog_item)} lab for {catalog.EVENT}",
            },
            "request": {"resources": [{"kind": "OcpSandbox", "count": 1}]},
        }
    return {
        "placements": placements,
        "login_tokens": {admin_token: "admin", user_token: "app"},
        "access_tokens": {},  # token -> [role, expires at (unix)]
        "access_token_ttl": 3600,
        "metrics": {
            "pg_active": 4,
            "pg_idle": 6,
            "queued_placements": 2,
            "queued_resources": 1,
            "ratelimit": {
                c: {"available": 8 - n * 3, "max": 10, "count": 2 + n * 3}
                for n, c in enumerate(fleet.clusters)
            },
        },
    }


def metrics_text(metrics: dict[str, Any]) -> str:
    lines = [
        "# HELP sandbox_pg_connections_active Active connections in the database pool",
        "# TYPE sandbox_pg_connections_active gauge",
        f"sandbox_pg_connections_active {metrics['pg_active']}",
        f"sandbox_pg_connections_idle {metrics['pg_idle']}",
        "# TYPE sandbox_queued_placements_total gauge",
        f"sandbox_queued_placements_total {metrics['queued_placements']}",
        f"sandbox_queued_resources_total {metrics['queued_resources']}",
    ]
    for cluster, limits in metrics["ratelimit"].items():
        lines += [
            f'sandbox_ratelimit_available_slots{{cluster="{cluster}"}} {limits["available"]}',
            f'sandbox_ratelimit_max{{cluster="{cluster}"}} {limits["max"]}',
            f'sandbox_ratelimit_provision_count{{cluster="{cluster}"}} {limits["count"]}',
        ]
    lines.append('go_info{version="go1.22.7"} 1')
    return "\n".join(lines) + "\n"


class SandboxApiServer(ServiceServer):
    kind = "sandbox_api"

    def routes(self) -> list[web.RouteDef]:
        base = "/api/v1/placements"
        return [
            web.get("/metrics", self._metrics),
            web.get("/api/v1/health", self._health),
            web.get("/api/v1/login", self._login),
            web.get(base, self._list),
            web.get(base + "/{uuid}", self._one),
            web.get(base + "/{uuid}/status", self._status),
            web.put(base + "/{uuid}/stop", self._lifecycle("stop")),
            web.put(base + "/{uuid}/start", self._lifecycle("start")),
            web.delete(base + "/{uuid}", self._delete),
        ]

    def error(self, status: int, message: str) -> web.Response:
        return json_response({"message": message, "http_code": status}, status=status)

    def malformed_body(self, path: str) -> bytes:
        if path == "/metrics":
            return b'sandbox_pg_connections_active{{{ 4\nsandbox_queued_placements_total "two"\n'
        return b'{"service_uuid": "0b1e'

    def credentials(self) -> dict[str, Any]:
        roles = self.data["login_tokens"]
        admin = next(t for t, r in roles.items() if r == "admin")
        user = next(t for t, r in roles.items() if r != "admin")
        return {
            "login_token": admin,
            "user_login_token": user,
            "metrics_url": f"{self.url}/metrics",
        }

    def authorized(self, request: web.Request) -> bool:
        if request.path in ("/metrics", "/api/v1/health"):
            return True
        token = _bearer(request)
        if request.path == "/api/v1/login":
            return any(
                hmac.compare_digest(token.encode(), t.encode()) for t in self.data["login_tokens"]
            )
        return self._role(token) is not None

    def _role(self, token: str) -> str | None:
        entry = self.data["access_tokens"].get(token)
        if entry is None or entry[1] < time.time():
            return None
        return str(entry[0])

    async def _metrics(self, request: web.Request) -> web.Response:
        return web.Response(
            text=metrics_text(self.data["metrics"]), content_type="text/plain", charset="utf-8"
        )

    async def _health(self, request: web.Request) -> web.Response:
        return json_response({"message": "OK", "http_code": 200})

    async def _login(self, request: web.Request) -> web.Response:
        role = self.data["login_tokens"][_bearer(request)]
        token = secrets.token_urlsafe(24)
        expires = time.time() + float(self.data["access_token_ttl"])
        self.data["access_tokens"][token] = [role, expires]
        stamp = datetime.fromtimestamp(expires, UTC).isoformat()
        return json_response({"access_token": token, "access_token_exp": stamp})

    async def _list(self, request: web.Request) -> web.Response:
        if self._role(_bearer(request)) != "admin":
            return self.error(403, "Forbidden: admin token required")
        rows = list(self.data["placements"].values())
        unit = UNITS.get(request.query.get("unit", "day"))
        if unit is None:
            return self.error(400, "Bad request: unit")
        now = datetime.now(UTC)

        def age(placement: dict[str, Any]) -> float:
            return (now - datetime.fromisoformat(placement["created_at"])).total_seconds()

        if "min-age" in request.query:
            rows = [p for p in rows if age(p) >= float(request.query["min-age"]) * unit]
        if "max-age" in request.query:
            rows = [p for p in rows if age(p) <= float(request.query["max-age"]) * unit]
        return json_response(rows)

    def _placement(self, request: web.Request) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.data["placements"].get(request.match_info["uuid"])
        return found

    async def _one(self, request: web.Request) -> web.Response:
        placement = self._placement(request)
        return json_response(placement) if placement else self.error(404, "Placement not found")

    async def _status(self, request: web.Request) -> web.Response:
        placement = self._placement(request)
        if placement is None:
            return self.error(404, "Placement not found")
        return json_response(
            {
                "status": [
                    {
                        "account": r["name"],
                        "status": placement["status"],
                        "updated_at": placement["updated_at"],
                    }
                    for r in placement["resources"]
                ]
            }
        )

    def _lifecycle(self, action: str) -> Any:
        async def handler(request: web.Request) -> web.Response:
            placement = self._placement(request)
            if placement is None:
                return self.error(404, "Placement not found")
            placement["status"] = "updating"
            return json_response(
                {"message": f"{action} request created", "http_code": 202}, status=202
            )

        return handler

    async def _delete(self, request: web.Request) -> web.Response:
        placement = self._placement(request)
        if placement is None:
            return self.error(404, "Placement not found")
        placement["status"] = "deleting"
        return json_response(
            {"message": "Placement marked for deletion", "http_code": 202}, status=202
        )


def _bearer(request: web.Request) -> str:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value if scheme.lower() == "bearer" else ""
