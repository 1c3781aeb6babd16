"""An AAP controller, API v2 (spec 8): `/api/v2/jobs/` with filters and `{count, next, previous,
results}` paging (relative `next`), `/api/v2/jobs/{id}/`, `/api/v2/jobs/{id}/job_events/`.
HTTP Basic (`user`/`password`) or an OAuth token (`Authorization: Bearer <token>`).

Jobs follow the fleet: a provision job per lab whose AnarchySubject names this controller (ids
from `status.towerJobs.*.deployerJob`), failed for labs whose provision or destroy failed, a
running destroy for the stuck teardown, and one failed provision of the exhausted pool's item
with its failing task.
"""

from __future__ import annotations

import base64
import hmac
import json
import random
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from simulator import catalog
from simulator.babylon import platform_extras
from simulator.generator import Fleet
from simulator.platform import aap_job_id
from simulator.services.base import ServiceServer, json_response

CONTROLLERS = ("event0", "event1")
FAILED_TASK = "ocp4_workload_openshift_virtualization : Wait for HyperConverged to be Available"
FAILED_MSG = "HyperConverged kubevirt-hyperconverged is not Available after 60 retries"
TRACEBACK = (
    "PLAY [Step 004 Post Infra] ***\n"
    "TASK [ocp4_workload_authentication : Create htpasswd secret] ***\n"
    "ok: [bastion.{cluster}.sim.example.com]\n"
    "TASK [{task}] ***\n"
    'fatal: [bastion.{cluster}.sim.example.com]: FAILED! => {{"attempts": 60, "changed": false, '
    '"msg": "{msg}"}}'
)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _job(
    job_id: int,
    name: str,
    status: str,
    finished: datetime | None,
    cluster: str,
    guid: str,
    item: str,
    elapsed: float,
    now: datetime,
) -> dict[str, Any]:
    started = (finished or now) - timedelta(seconds=elapsed)
    extra = {
        "guid": guid,
        "catalog_item_name": item,
        "bastion_ansible_host": f"ssh.{cluster}.sim.example.com",
        "cloud_provider": catalog.cloud_provider(item),
        "aws_secret_access_key": "SIMxFAKExAAPxSECRETxxxxxxxxxxxxxxxxxxxxx",
        "admin_password": "sim-not-a-password",
    }
    return {
        "id": job_id,
        "type": "job",
        "url": f"/api/v2/jobs/{job_id}/",
        "related": {"job_events": f"/api/v2/jobs/{job_id}/job_events/"},
        "summary_fields": {"job_template": {"id": 7, "name": "babylon-deployer"}},
        "name": name,
        "description": "",
        "launch_type": "manual",
        "status": status,
        "failed": status == "failed",
        "started": _stamp(started),
        "finished": _stamp(finished) if finished else None,
        "elapsed": round(elapsed, 3) if finished else 0.0,
        "job_explanation": "",
        "result_traceback": "",
        "extra_vars": json.dumps(extra),
        "playbook": "main.yml",
        "execution_node": "aap-exec-1",
    }


def _failed(
    job: dict[str, Any], cluster: str, task: str, msg: str, job_events: dict[str, Any]
) -> None:
    job["result_traceback"] = TRACEBACK.format(cluster=cluster, task=task, msg=msg)
    job["job_explanation"] = "Job failed: playbook returned a non-zero exit status."
    job_events[str(job["id"])] = [
        {
            "id": job["id"] * 10 + 1,
            "event": "runner_on_failed",
            "counter": 812,
            "task": task,
            "host_name": f"bastion.{cluster}.sim.example.com",
            "created": job["finished"],
            "failed": True,
            "event_data": {"task": task, "res": {"msg": msg, "attempts": 60, "changed": False}},
        }
    ]


def aap_data(fleet: Fleet, controller: str, password: str, token: str) -> dict[str, Any]:
    rng = random.Random(f"{fleet.spec.seed}:aap:{controller}")
    jobs: list[dict[str, Any]] = []
    job_events: dict[str, Any] = {}
    now = fleet.now
    mine = controller == CONTROLLERS[0]
    if mine:
        for subject in _subjects(fleet):
            vars_ = subject["spec"]["vars"]
            job_vars = vars_["job_vars"]
            guid, item = job_vars["guid"], job_vars["catalog_item_name"]
            cluster = job_vars["sandbox_openshift_cluster"]
            state = vars_["current_state"]
            action = "destroy" if state.startswith("destroy") else "provision"
            status = {"destroying": "running"}.get(
                state, "failed" if "failed" in state else "successful"
            )
            finished = (
                None if status == "running" else now - timedelta(minutes=rng.randint(20, 1380))
            )
            name = f"{subject['spec']['governor']}-{guid}-{action}"
            job = _job(
                aap_job_id(guid),
                name,
                status,
                finished,
                cluster,
                guid,
                item,
                rng.uniform(600, 3000),
                now,
            )
            if status == "failed":
                task = FAILED_TASK if action == "provision" else "Destroy sandbox namespace"
                _failed(
                    job,
                    cluster,
                    task,
                    FAILED_MSG if action == "provision" else "namespace deletion timed out",
                    job_events,
                )
            jobs.append(job)
        item = catalog.EXHAUSTED_ITEM
        guid = "zz9fp"
        job = _job(
            99001,
            f"{catalog.full_name(item)}-{guid}-provision",
            "failed",
            now - timedelta(minutes=35),
            fleet.clusters[0],
            guid,
            item,
            3620.5,
            now,
        )
        _failed(job, fleet.clusters[0], FAILED_TASK, FAILED_MSG, job_events)
        jobs.append(job)
    else:
        for n in range(12):
            item = rng.choice(catalog.items())
            guid = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=5))
            status = "running" if n == 0 else "successful"
            finished = None if n == 0 else now - timedelta(minutes=rng.randint(10, 1400))
            action = "destroy" if n % 2 else "provision"
            jobs.append(
                _job(
                    200 + n,
                    f"{catalog.full_name(item)}-{guid}-{action}",
                    status,
                    finished,
                    rng.choice(fleet.clusters),
                    guid,
                    item,
                    rng.uniform(60, 900),
                    now,
                )
            )
        old = _job(
            150,
            f"{catalog.full_name(catalog.LOW_ITEM)}-old01-provision",
            "failed",
            now - timedelta(hours=30),
            fleet.clusters[-1],
            "old01",
            catalog.LOW_ITEM,
            400,
            now,
        )
        jobs.append(old)  # failed, but outside the 24 h window
    jobs.sort(key=lambda j: j["id"])
    return {
        "jobs": jobs,
        "job_events": job_events,
        "users": {"monitor": password},
        "tokens": [token],
        "max_page_size": 200,
    }


def _subjects(fleet: Fleet) -> list[dict[str, Any]]:
    extras = platform_extras(fleet.spec.seed, fleet.clusters[0], fleet.now)
    objects = [*fleet.objects.values(), *extras.values()]
    return [
        obj
        for group in objects
        for obj in group
        if obj["kind"] == "AnarchySubject" and "job_vars" in obj["spec"].get("vars", {})
    ]


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


class AapServer(ServiceServer):
    kind = "aap"

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/api/v2/jobs/", self._jobs),
            web.get("/api/v2/jobs/{id}/", self._job),
            web.get("/api/v2/jobs/{id}/job_events/", self._events),
            web.get("/api/v2/ping/", self._ping),
        ]

    def authorized(self, request: web.Request) -> bool:
        if request.path == "/api/v2/ping/":
            return True
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return any(hmac.compare_digest(value.encode(), t.encode()) for t in self.data["tokens"])
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(value).decode().partition(":")
        except ValueError:
            return False
        expected = self.data["users"].get(user)
        return expected is not None and hmac.compare_digest(password.encode(), expected.encode())

    def credentials(self) -> dict[str, Any]:
        user, password = next(iter(self.data["users"].items()))
        return {"user": user, "password": password, "token": self.data["tokens"][0]}

    async def _ping(self, request: web.Request) -> web.Response:
        return json_response({"version": "4.5.10", "active_node": "aap-controller-1"})

    async def _jobs(self, request: web.Request) -> web.Response:
        rows = [j for j in self.data["jobs"] if _matches(j, request.query)]
        rows.sort(key=lambda j: j["id"], reverse=request.query.get("order_by") == "-id")
        return self._paged(request, rows, 25)

    async def _job(self, request: web.Request) -> web.Response:
        for job in self.data["jobs"]:
            if str(job["id"]) == request.match_info["id"]:
                return json_response(job)
        return self.error(404, "Not found.")

    async def _events(self, request: web.Request) -> web.Response:
        if not any(str(j["id"]) == request.match_info["id"] for j in self.data["jobs"]):
            return self.error(404, "Not found.")
        rows = self.data["job_events"].get(request.match_info["id"], [])
        if "event" in request.query:
            rows = [e for e in rows if e["event"] == request.query["event"]]
        return self._paged(request, rows, 25)

    def _paged(self, request: web.Request, rows: list[Any], default: int) -> web.Response:
        size = min(int(request.query.get("page_size", default)), int(self.data["max_page_size"]))
        page = int(request.query.get("page", 1))
        pages = max(1, -(-len(rows) // max(size, 1)))
        if page < 1 or page > pages:
            return self.error(404, "Invalid page.")

        def link(number: int) -> str:
            return f"{request.path}?{urlencode({**request.query, 'page': str(number)})}"

        following = None
        if page < pages:
            following = link(999999 if self.broken_next(request) else page + 1)
        return json_response(
            {
                "count": len(rows),
                "next": following,
                "previous": link(page - 1) if page > 1 else None,
                "results": rows[(page - 1) * size : page * size],
            }
        )


def _matches(job: dict[str, Any], query: Any) -> bool:
    if "status" in query and job["status"] != query["status"]:
        return False
    if "name__contains" in query and query["name__contains"] not in job["name"]:
        return False
    if "finished__gt" in query:
        cutoff = _parse_time(query["finished__gt"])
        finished = _parse_time(job["finished"] or "")
        if cutoff is None or finished is None:
            return False
        if cutoff.tzinfo is None:
            cutoff = cutoff.replace(tzinfo=finished.tzinfo)
        if finished <= cutoff:
            return False
    return True
