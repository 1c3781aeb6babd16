"""The cluster scheduler's `/evaluate` (spec 13) and, per cluster, Prometheus/Thanos
`/api/v1/query` and Alertmanager `/api/v2/alerts` (spec 14), all from the fleet's objects:
restarting and OOM-killed pods, pending pods, node CPU, not-ready nodes."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import timedelta
from typing import Any

from aiohttp import web

from simulator.generator import Fleet
from simulator.services.base import ServiceServer, json_response


def _cpu(quantity: str) -> float:
    return float(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def cluster_facts(fleet: Fleet, cluster: str) -> dict[str, Any]:
    """What the fleet's objects say about one cluster, for all three services."""
    objects = fleet.objects[cluster]
    nodes = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Node"}
    usage = {o["metadata"]["name"]: o["usage"] for o in objects if o["kind"] == "NodeMetrics"}
    cpu = {
        n: _cpu(u["cpu"]) / float(nodes[n]["status"]["capacity"]["cpu"]) for n, u in usage.items()
    }
    not_ready = [n for n, o in nodes.items() if o["status"]["conditions"][-1]["status"] != "True"]
    restarts, oom, pending = [], [], []
    for pod in (o for o in objects if o["kind"] == "Pod"):
        meta = pod["metadata"]
        statuses = pod.get("status", {}).get("containerStatuses") or []
        for status in statuses:
            labels = {
                "namespace": meta["namespace"],
                "pod": meta["name"],
                "container": status["name"],
            }
            if status.get("restartCount", 0) > 10:
                restarts.append((labels, status["restartCount"]))
            if (status.get("lastState", {}).get("terminated") or {}).get("reason") == "OOMKilled":
                oom.append((labels, 1))
        if pod.get("status", {}).get("phase") == "Pending":
            pending.append(
                ({"namespace": meta["namespace"], "pod": meta["name"], "phase": "Pending"}, 1)
            )
    vms = sum(1 for o in objects if o["kind"] == "VirtualMachine")
    return {
        "cpu": cpu,
        "not_ready": not_ready,
        "restarts": restarts,
        "oom": oom,
        "pending": pending,
        "nodes": len(nodes),
        "vms": vms,
        "memory_pct": 35 + 40 * (sum(cpu.values()) / max(len(cpu), 1)),
    }


def scheduler_data(fleet: Fleet, token: str) -> dict[str, Any]:
    health = {}
    for cluster in fleet.clusters:
        facts = cluster_facts(fleet, cluster)
        broken = sum(1 for lab in fleet.labs if lab.cluster == cluster and lab.failure)
        labs = max(1, sum(1 for lab in fleet.labs if lab.cluster == cluster))
        health[cluster] = {
            "health_score": round(100 - 100 * broken / labs - 10 * len(facts["not_ready"])),
            "cpu_usage_pct": round(100 * sum(facts["cpu"].values()) / max(len(facts["cpu"]), 1)),
            "memory_usage_pct": round(facts["memory_pct"]),
            "critical_alerts": len(facts["not_ready"]),
            "unhealthy_nodes": len(facts["not_ready"]),
            "total_nodes": facts["nodes"],
            "vm_count": facts["vms"],
        }
    return {"health": health, "token": token}


class SchedulerServer(ServiceServer):
    kind = "cluster_scheduler"

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/evaluate", self._evaluate)]

    def authorized(self, request: web.Request) -> bool:
        token = str(self.data.get("token") or "")
        expected = f"Bearer {token}".encode()
        return not token or hmac.compare_digest(
            request.headers.get("Authorization", "").encode(), expected
        )

    def credentials(self) -> dict[str, Any]:
        return {"token": self.data["token"]}

    async def _evaluate(self, request: web.Request) -> web.Response:
        cluster = request.query.get("cluster", "")
        metrics = self.data["health"].get(cluster)
        if metrics is None:
            return self.error(404, f"unknown cluster {cluster!r}")
        return json_response(
            {
                "kind": "ClusterHealth",
                "apiVersion": "scheduler.sim/v1",
                "metadata": {"name": cluster},
                "metrics": metrics,
            }
        )


# A query is answered by the first rule whose key occurs in it (the spec's default query set).
QUERY_KEYS = {
    "kube_pod_container_status_restarts_total": "restarts",
    "OOMKilled": "oom",
    "node_cpu_utilisation": "cpu",
    "kube_pod_status_phase": "pending",
}


def prometheus_data(fleet: Fleet, cluster: str, token: str) -> dict[str, Any]:
    facts = cluster_facts(fleet, cluster)
    series = {
        "restarts": [[labels, value] for labels, value in facts["restarts"]],
        "oom": [[labels, value] for labels, value in facts["oom"]],
        "pending": [[labels, value] for labels, value in facts["pending"]],
        "cpu": [
            [{"instance": node, "node": node}, round(value, 3)]
            for node, value in facts["cpu"].items()
            if value > 0.8
        ],
    }
    started = (fleet.now - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    alerts = [
        _alert("Watchdog", "none", {}, "An alert that should always be firing.", started),
        _alert(
            "KubePodNotReady",
            "warning",
            {"namespace": "openshift-monitoring"},
            "Pod has been in a non-ready state for longer than 15 minutes.",
            started,
            state="suppressed",
        ),
    ]
    for node in facts["not_ready"]:
        alerts.append(
            _alert(
                "KubeNodeNotReady",
                "critical",
                {"node": node},
                f"{node} has been unready for more than 15 minutes.",
                started,
            )
        )
    for labels, restarts in facts["restarts"][:5]:
        alerts.append(
            _alert(
                "KubePodCrashLooping",
                "warning",
                {
                    "namespace": labels["namespace"],
                    "pod": labels["pod"],
                    "instance": "10.0.0.10:8443",
                },
                f"Pod {labels['pod']} is restarting ({restarts} restarts).",
                started,
            )
        )
    return {"series": series, "alerts": alerts, "token": token}


def _alert(
    name: str,
    severity: str,
    labels: dict[str, str],
    description: str,
    started: str,
    state: str = "active",
) -> dict[str, Any]:
    all_labels = {
        "alertname": name,
        "severity": severity,
        "prometheus": "openshift-monitoring/k8s",
        **labels,
    }
    fingerprint = hashlib.sha256(repr(sorted(all_labels.items())).encode()).hexdigest()[:16]
    annotations = {"description": description} if severity != "none" else {"summary": description}
    return {
        "labels": all_labels,
        "annotations": annotations,
        "startsAt": started,
        "endsAt": "2099-01-01T00:00:00.000Z",
        "updatedAt": started,
        "fingerprint": fingerprint,
        "generatorURL": "https://thanos-querier.sim.example.com/graph",
        "receivers": [{"name": "Default"}],
        "status": {"state": state, "silencedBy": [], "inhibitedBy": []},
    }


class PrometheusServer(ServiceServer):
    """Prometheus (Thanos querier) and Alertmanager of one cluster, on one port."""

    kind = "prometheus"

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/api/v1/query", self._query),
            web.post("/api/v1/query", self._query),
            web.get("/api/v2/alerts", self._alerts),
        ]

    def authorized(self, request: web.Request) -> bool:
        expected = f"Bearer {self.data['token']}".encode()
        return hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected)

    def error(self, status: int, message: str) -> web.Response:
        return json_response(
            {"status": "error", "errorType": "server_error", "error": message}, status=status
        )

    def credentials(self) -> dict[str, Any]:
        return {"token": self.data["token"]}

    async def _query(self, request: web.Request) -> web.Response:
        form = await request.post() if request.method == "POST" else request.query
        query = str(form.get("query", ""))
        if not query.strip():
            return json_response(
                {
                    "status": "error",
                    "errorType": "bad_data",
                    "error": 'invalid parameter "query": empty',
                },
                status=400,
            )
        key = next((v for k, v in QUERY_KEYS.items() if k in query), "")
        now = round(time.time(), 3)
        result = [
            {"metric": dict(labels), "value": [now, str(value)]}
            for labels, value in self.data["series"].get(key, [])
        ]
        return json_response(
            {"status": "success", "data": {"resultType": "vector", "result": result}}
        )

    async def _alerts(self, request: web.Request) -> web.Response:
        return json_response(self.data["alerts"])
