"""Custom-object patches shared by the Anarchy and Poolboy executors."""

from __future__ import annotations

from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from remediation.executors.base import ClusterAccess, api_execution_error
from scanning.client import api_call_retried, api_client_for, request_timeout


def custom_object_get(
    cluster: ClusterAccess, group: str, version: str, namespace: str, plural: str, name: str
) -> dict[str, Any]:
    try:
        with api_client_for(cluster) as api:
            objects, timeout = client.CustomObjectsApi(api), request_timeout()
            found: dict[str, Any] = api_call_retried(
                lambda: objects.get_namespaced_custom_object(
                    group, version, namespace, plural, name, _request_timeout=timeout
                )
            )
            return found
    except ApiException as exc:
        raise api_execution_error(exc) from exc


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
            objects, timeout = client.CustomObjectsApi(api), request_timeout()
            patched: dict[str, Any] = api_call_retried(
                lambda: objects.patch_namespaced_custom_object(
                    group, version, namespace, plural, name, body, _request_timeout=timeout
                )
            )
            return patched
    except ApiException as exc:
        raise api_execution_error(exc) from exc
