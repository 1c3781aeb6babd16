"""Custom-object patches shared by the Anarchy and Poolboy executors."""

from __future__ import annotations

from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from remediation.executors.base import ClusterAccess, ExecutionError
from scanning.client import api_client_for, request_timeout


def custom_object_get(
    cluster: ClusterAccess, group: str, version: str, namespace: str, plural: str, name: str
) -> dict[str, Any]:
    try:
        with api_client_for(cluster) as api:
            found: dict[str, Any] = client.CustomObjectsApi(api).get_namespaced_custom_object(
                group, version, namespace, plural, name, _request_timeout=request_timeout()
            )
            return found
    except ApiException as exc:
        raise ExecutionError(f"Kubernetes API {exc.status}: {exc.reason}") from exc


def custom_object_merge_patch(
    cluster: ClusterAccess,
    group: str,
    version: str,
    namespace: str,
    plural: str,
    name: str,
    body: dict[str, Any],
) -> dict[str, Any]:
    try:
        with api_client_for(cluster) as api:
            patched: dict[str, Any] = client.CustomObjectsApi(api).patch_namespaced_custom_object(
                group, version, namespace, plural, name, body, _request_timeout=request_timeout()
            )
            return patched
    except ApiException as exc:
        raise ExecutionError(f"Kubernetes API {exc.status}: {exc.reason}") from exc
