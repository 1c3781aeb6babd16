"""Raw Kubernetes objects → trimmed, redacted objects in Kubernetes shape, grouped per namespace.

Pure functions: no ORM, no network. Each kind keeps what the rubric engine reads (statuses,
conditions, container states, owners, labels, replicas, printableStatus, progress, ingress
conditions, endpoint subsets, event reasons and messages, AnarchySubject states) and drops the
rest; whatever remains goes through the rules of `stargate.lib.redact` (in the same walk).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scanning.kinds import EVIDENCE_KINDS
from stargate.lib.evidence import KubeObject, NamespaceEvidence
from stargate.lib.redact import (
    REDACTED,
    is_secret_name,
    redact_entry,
    redact_long_text,
    redact_under,
)

# A projection: field name → True (keep the value whole) or a nested projection, applied to a
# dict or to each dict of a list.
Projection = Mapping[str, "Projection | bool"]

MAX_EVENTS_PER_NAMESPACE = 50
# Showroom content variables (the showroom deployment's git cloner) kept as `contentSource`
CONTENT_ENV = {
    "GIT_REPO_URL": "repo",
    "SHOWROOM_GIT_REPO": "repo",
    "GIT_REPO_REF": "ref",
    "SHOWROOM_GIT_REF": "ref",
}

_OWNER = {"apiVersion": True, "kind": True, "name": True, "uid": True, "controller": True}
_METADATA: Projection = {
    "name": True,
    "namespace": True,
    "uid": True,
    "labels": True,
    "annotations": True,
    "creationTimestamp": True,
    "deletionTimestamp": True,
    "generation": True,
    "ownerReferences": _OWNER,
}
_CONDITIONS: Projection = {
    "type": True,
    "status": True,
    "reason": True,
    "message": True,
    "lastTransitionTime": True,
    "lastProbeTime": True,
    "lastUpdateTime": True,
}
_CONTAINER: Projection = {"name": True, "image": True, "resources": True, "ports": True}
_CONTAINER_STATUS: Projection = {
    "name": True,
    "ready": True,
    "started": True,
    "restartCount": True,
    "image": True,
    "state": True,
    "lastState": True,
}
_WORKLOAD_STATUS: Projection = {
    "observedGeneration": True,
    "replicas": True,
    "updatedReplicas": True,
    "readyReplicas": True,
    "availableReplicas": True,
    "unavailableReplicas": True,
    "currentReplicas": True,
    "fullyLabeledReplicas": True,
    "currentRevision": True,
    "updateRevision": True,
    "collisionCount": True,
    "conditions": _CONDITIONS,
}
_TEMPLATE: Projection = {
    "metadata": {"labels": True, "annotations": True},
    "spec": {"containers": _CONTAINER},
}


def _kind(spec: Projection, status: Projection | bool = True) -> Projection:
    return {"apiVersion": True, "kind": True, "metadata": _METADATA, "spec": spec, "status": status}


PROJECTIONS: dict[str, Projection] = {
    "namespaces": _kind({"finalizers": True}),
    "pods": _kind(
        {
            "nodeName": True,
            "restartPolicy": True,
            "containers": _CONTAINER,
            "initContainers": _CONTAINER,
            "volumes": {"name": True, "persistentVolumeClaim": True, "dataVolume": True},
        },
        {
            "phase": True,
            "reason": True,
            "message": True,
            "startTime": True,
            "nominatedNodeName": True,
            "conditions": _CONDITIONS,
            "containerStatuses": _CONTAINER_STATUS,
            "initContainerStatuses": _CONTAINER_STATUS,
        },
    ),
    "deployments": _kind(
        {
            "replicas": True,
            "paused": True,
            "progressDeadlineSeconds": True,
            "selector": True,
            "strategy": {"type": True},
            "template": _TEMPLATE,
        },
        _WORKLOAD_STATUS,
    ),
    "replicasets": _kind({"replicas": True, "selector": True}, _WORKLOAD_STATUS),
    "statefulsets": _kind(
        {
            "replicas": True,
            "selector": True,
            "serviceName": True,
            # OnDelete and a partition decide when a rollout is complete (kstatus).
            "updateStrategy": {"type": True, "rollingUpdate": {"partition": True}},
        },
        _WORKLOAD_STATUS,
    ),
    "services": _kind(
        {"type": True, "selector": True, "ports": True, "clusterIP": True, "externalName": True}
    ),
    "endpoints": {**_kind({}), "subsets": True},
    "routes": _kind(
        {
            "host": True,
            "path": True,
            "to": True,
            "alternateBackends": True,
            "port": True,
            "tls": {"termination": True, "insecureEdgeTerminationPolicy": True},
        }
    ),
    "events": {
        "apiVersion": True,
        "kind": True,
        "metadata": {"name": True, "namespace": True, "uid": True, "creationTimestamp": True},
        "type": True,
        "reason": True,
        "message": True,
        "count": True,
        "firstTimestamp": True,
        "lastTimestamp": True,
        "eventTime": True,
        "series": True,
        "source": {"component": True},
        "reportingComponent": True,
        "involvedObject": {
            "apiVersion": True,
            "kind": True,
            "name": True,
            "namespace": True,
            "uid": True,
            "fieldPath": True,
        },
    },
    "persistentvolumeclaims": _kind(
        {
            "storageClassName": True,
            "volumeMode": True,
            "accessModes": True,
            "resources": True,
            "volumeName": True,
            "dataSource": True,
            "dataSourceRef": True,
        }
    ),
    "virtualmachines": _kind(
        {
            "running": True,
            "runStrategy": True,
            "dataVolumeTemplates": {"metadata": {"name": True}},
            "template": {"metadata": {"labels": True}},
        }
    ),
    "virtualmachineinstances": _kind(
        {"evictionStrategy": True},
        {
            "phase": True,
            "reason": True,
            "nodeName": True,
            "conditions": _CONDITIONS,
            "phaseTransitionTimestamps": True,
            "guestOSInfo": {"id": True, "name": True, "version": True},
            "migrationState": {"completed": True, "failed": True},
        },
    ),
    "datavolumes": _kind(
        # The source says where an image comes from; an http/registry URL may carry
        # credentials, so only the source type and a pvc source's name are kept.
        {"source": {"pvc": True, "http": {}, "registry": {}, "blank": {}, "upload": {}}},
    ),
    "inferenceservices": _kind(
        {"predictor": {"model": {"modelFormat": True, "runtime": True}}},
        {"conditions": _CONDITIONS, "url": True, "modelStatus": True},
    ),
    "anarchysubjects": _kind(
        {
            "governor": True,
            "vars": {"current_state": True, "desired_state": True, "healthy": True},
        },
        {
            "runStatus": True,
            "runStatusMessage": True,
            "actions": True,
            "pendingActions": True,
        },
    ),
    "resourcepools": _kind(
        {"minAvailable": True, "maxUnready": True, "lifespan": True},
        {"resourceHandleCount": True},
    ),
    "nodes": _kind(
        {"unschedulable": True, "taints": True},
        {"conditions": _CONDITIONS, "capacity": True, "allocatable": True},
    ),
}


def project(value: Any, projection: Projection) -> Any:
    """Keep only the fields named by `projection`, at any depth, through lists."""
    if isinstance(value, list):
        return [project(item, projection) for item in value]
    if not isinstance(value, dict):
        return value
    kept: dict[str, Any] = {}
    for key, sub in projection.items():
        if key in value:
            kept[key] = value[key] if sub is True else project(value[key], sub)  # type: ignore[arg-type]
    return kept


def object_normalize(kind: str, raw: KubeObject) -> KubeObject:
    """One raw object of `kind` (a PROJECTIONS key), trimmed and redacted."""
    trimmed: KubeObject = _NORMALIZERS[kind](raw, "")
    _drop_noise(trimmed)
    if kind == "pods":
        _keep_env_names(raw, trimmed)
        _keep_content_source(raw, trimmed)
    return trimmed


def _keep_content_source(raw: KubeObject, trimmed: KubeObject) -> None:
    """A showroom pod's content repository and ref (the values of its `GIT_REPO_URL` and
    `GIT_REPO_REF` variables, credentials in the URL dropped) as `spec.contentSource`, for the
    AgnosticV constraint check. Only pods named `*showroom*` are looked at."""
    if "showroom" not in str((raw.get("metadata") or {}).get("name") or ""):
        return
    spec = raw.get("spec") or {}
    found: dict[str, str] = {}
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        for entry in container.get("env") or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
                continue
            key = CONTENT_ENV.get(str(entry.get("name")))
            if key and key not in found:
                found[key] = _without_userinfo(entry["value"])[:400]
    if found and isinstance(trimmed.get("spec"), dict):
        trimmed["spec"]["contentSource"] = found


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _keep_env_names(raw: KubeObject, trimmed: KubeObject) -> None:
    """Container env var names (never their values) as `envNames`, for the sibling diff."""
    raw_containers = (raw.get("spec") or {}).get("containers") or []
    kept = (trimmed.get("spec") or {}).get("containers") or []
    for container, source in zip(kept, raw_containers, strict=False):
        names = [
            str(e["name"]) for e in source.get("env") or [] if isinstance(e, dict) and "name" in e
        ]
        if names:
            container["envNames"] = names


# Trimming and redacting in one walk: `_normalizer(projection)(value, parent)` equals
# `redact._redact(project(value, projection), parent)` (what `redact(project(raw, …))` does at
# the top), without building the projected copy first, and without asking the redaction rules
# about the projection's own field names, which are fixed and known to be harmless.
Normalizer = Callable[[Any, str], Any]


def _normalizer(projection: Projection) -> Normalizer:
    assert not {"args", "command", "env"} & set(projection), projection
    # Per field: its name, its nested normalizer (None: kept whole), and whether a plain string
    # under it only needs the free-text rules (its name is not secret-looking).
    fields: list[tuple[str, Normalizer | None, bool]] = []
    for key, sub in projection.items():
        if sub is True:
            fields.append((key, None, not is_secret_name(key)))
            continue
        # A nested projection under a secret-looking name, or over annotations, would need the
        # redaction rules at this level: none exists; keep it so.
        assert not is_secret_name(key) and key != "annotations", key
        fields.append((key, _normalizer(sub), True))  # type: ignore[arg-type]

    def normalize(value: Any, parent: str) -> Any:
        if value.__class__ is dict:
            kept: dict[str, Any] = {}
            for key, sub, plain in fields:
                if key in value:
                    item = value[key]
                    cls = item.__class__
                    if cls is str and plain:
                        kept[key] = item if len(item) < 8 else redact_long_text(item)
                    elif sub is not None and (cls is dict or cls is list):
                        kept[key] = sub(item, key)
                    else:
                        kept[key] = redact_entry(key, item)
            return kept
        if value.__class__ is list:
            # Container lists are redacted per container (args, env); a projection keeping none
            # of those fields makes that the same as the general rules.
            return [normalize(item, parent) for item in value]
        # Scalars, and mappings or lists of other types: the general rules.
        return redact_under(project(value, projection), parent)

    return normalize


_NORMALIZERS: dict[str, Normalizer] = {
    kind: _normalizer(projection) for kind, projection in PROJECTIONS.items()
}


def _drop_noise(obj: KubeObject) -> None:
    """Annotations whose values were redacted say nothing to a rubric; pod volumes other than
    PVCs and DataVolumes neither. Dropping them halves a pod's evidence."""
    metadata = obj.get("metadata") or {}
    annotations = metadata.get("annotations")
    if annotations:
        kept = {key: value for key, value in annotations.items() if value != REDACTED}
        if kept:
            metadata["annotations"] = kept
        else:
            del metadata["annotations"]
    volumes = (obj.get("spec") or {}).get("volumes")
    if volumes is not None:
        obj["spec"]["volumes"] = [v for v in volumes if len(v) > 1]


def warning_events(
    events: Iterable[KubeObject], limit: int = MAX_EVENTS_PER_NAMESPACE
) -> list[KubeObject]:
    """The most recent Warning events, newest first (events expire on the cluster by TTL)."""
    warnings = [event for event in events if event.get("type") == "Warning"]
    warnings.sort(key=_event_time, reverse=True)
    return warnings[:limit]


def _event_time(event: KubeObject) -> str:
    return str(
        event.get("lastTimestamp")
        or event.get("eventTime")
        or (event.get("metadata") or {}).get("creationTimestamp")
        or ""
    )


def namespace_of(raw: KubeObject) -> str:
    return str((raw.get("metadata") or {}).get("namespace") or "")


def objects_group(
    kind: str, raws: Iterable[KubeObject], namespaces: Container[str] | None = None
) -> dict[str, list[KubeObject]]:
    """Normalized objects of one kind per namespace, keeping only `namespaces` when given."""
    grouped: dict[str, list[KubeObject]] = {}
    if kind == "events":
        raws = [raw for raw in raws if raw.get("type") == "Warning"]
    for raw in raws:
        namespace = namespace_of(raw)
        if namespaces is not None and namespace not in namespaces:
            continue
        grouped.setdefault(namespace, []).append(object_normalize(kind, raw))
    if kind == "events":
        grouped = {ns: warning_events(events) for ns, events in grouped.items()}
    return grouped


def evidence_build(
    *,
    cluster: str,
    namespace: str,
    namespace_object: KubeObject | None,
    objects: Mapping[str, list[KubeObject]],
    collected_at: str,
    stale: bool = False,
) -> NamespaceEvidence:
    """One namespace's evidence from already normalized objects (every kind key present)."""
    return NamespaceEvidence(
        cluster=cluster,
        namespace=namespace,
        collected_at=collected_at,
        namespace_object=namespace_object,
        objects={kind: list(objects.get(kind, ())) for kind in EVIDENCE_KINDS},
        showroom=None,
        cluster_health=None,
        lab={},
        stale=stale,
    )


def evidence_from_lists(
    *,
    cluster: str,
    namespaces: Mapping[str, KubeObject | None],
    lists: Mapping[str, Iterable[KubeObject]],
    collected_at: str,
) -> dict[str, NamespaceEvidence]:
    """Evidence for each of `namespaces` (name → raw Namespace or None) from raw lists per kind."""
    wanted = set(namespaces)
    grouped = {kind: objects_group(kind, raws, wanted) for kind, raws in lists.items()}
    return {
        name: evidence_build(
            cluster=cluster,
            namespace=name,
            namespace_object=None if raw is None else object_normalize("namespaces", raw),
            objects={kind: per_ns.get(name, []) for kind, per_ns in grouped.items()},
            collected_at=collected_at,
        )
        for name, raw in namespaces.items()
    }
