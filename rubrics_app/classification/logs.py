"""A bounded log tail of a failing lab's pods, read on demand through the kubernetes client.

Only when a candidate is classified (never in the scan): at most a few pods, `tail_lines` and
`limit_bytes` bounded, the previous container's log for a crash-loop. The text is redacted here
and again with the whole bundle; a cluster that cannot be read gives no log, never an error.
"""

from __future__ import annotations

import logging
from typing import Any

from kubernetes.client import CoreV1Api
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from labs.models import LabInstance
from scanning.client import ClusterAccessError, api_client_for, request_timeout
from stargate.lib.redact import redact_text

logger = logging.getLogger(__name__)
TAIL_LINES = 50
LIMIT_BYTES = 8192
MAX_PODS = 3
CRASH_REASONS = frozenset({"CrashLoopBackOff", "Error", "OOMKilled"})


def failing_pods(evidence: dict[str, Any]) -> list[tuple[str, bool]]:
    """(pod name, read the previous container) for the lab's pods with a container not ready,
    from the stored evidence: the previous container's log for one that restarted."""
    pods: list[tuple[str, bool]] = []
    for pod in (evidence.get("objects") or {}).get("pods") or []:
        statuses = (pod.get("status") or {}).get("containerStatuses") or []
        failing = [c for c in statuses if not c.get("ready")]
        if not failing:
            continue
        waiting = {((c.get("state") or {}).get("waiting") or {}).get("reason") for c in failing}
        restarted = any(c.get("restartCount") for c in failing) or bool(waiting & CRASH_REASONS)
        pods.append((str(pod["metadata"]["name"]), restarted))
        if len(pods) == MAX_PODS:
            break
    return pods


def pod_log_tails(lab: LabInstance, evidence: dict[str, Any]) -> dict[str, str]:
    """Pod name → its redacted log tail (the previous container's for a crash-loop)."""
    pods = failing_pods(evidence)
    if not pods:
        return {}
    try:
        api = CoreV1Api(api_client_for(lab.cluster))
    except ClusterAccessError as exc:
        logger.info("no log tail for %s: %s", lab, exc)
        return {}
    tails: dict[str, str] = {}
    with api.api_client:
        for name, previous in pods:
            text = _tail(api, lab.namespace, name, previous)
            if text is None and previous:
                text = _tail(api, lab.namespace, name, False)  # no previous container
            if text:
                tails[name] = redact_text(text)
    return tails


def pod_log_read(lab: LabInstance, pod: str, previous: bool, tail_lines: int) -> str | None:
    """One pod's redacted log tail (the investigation's tool), None when it cannot be read."""
    try:
        api = CoreV1Api(api_client_for(lab.cluster))
    except ClusterAccessError as exc:
        logger.info("no log for %s/%s: %s", lab, pod, exc)
        return None
    with api.api_client:
        text = _tail(api, lab.namespace, pod, previous, tail_lines)
    return None if text is None else redact_text(text)


def _tail(
    api: CoreV1Api, namespace: str, name: str, previous: bool, tail_lines: int = TAIL_LINES
) -> str | None:
    try:
        response = api.read_namespaced_pod_log(
            name,
            namespace,
            tail_lines=tail_lines,
            limit_bytes=LIMIT_BYTES,
            previous=previous,
            _request_timeout=request_timeout(),
            _preload_content=False,
        )
        # Raw bytes, decoded here (the client's own decoding gives the bytes' repr).
        return bytes(response.data[:LIMIT_BYTES]).decode("utf-8", errors="replace")
    except (ApiException, HTTPError, OSError) as exc:
        logger.info("no log for pod %s/%s: %s", namespace, name, exc)
        return None
