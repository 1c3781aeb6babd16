"""Just enough controller behaviour for remediation to be verified against the simulator.

Deployments own ReplicaSets own Pods: deleting a pod brings a new one, a changed pod template
(the rollout-restart annotation) replaces the pods, a changed replica count scales them.
AnarchySubjects move `current_state` to `desired_state` after a delay; ResourcePools keep
`minAvailable` unclaimed ResourceHandles; deleting an owner deletes what it owns; a deleted
namespace without finalizers disappears after a delay.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import uuid
from collections.abc import Callable

import orjson

from simulator.kinds import Kind, kind_for_path
from simulator.store import Change, Conflict, NotFound, Obj, Store, now_iso

log = logging.getLogger(__name__)

Schedule = Callable[[float, Callable[[], None]], None]


def _kind(group: str, version: str, plural: str) -> Kind:
    kind = kind_for_path(group, version, plural)
    assert kind is not None
    return kind


STICKY_FAILURE = "simulator.stargate.dev/sticky-failure"
NAMESPACES = _kind("", "v1", "namespaces")
PODS = _kind("", "v1", "pods")
DEPLOYMENTS = _kind("apps", "v1", "deployments")
REPLICASETS = _kind("apps", "v1", "replicasets")
VMIS = _kind("kubevirt.io", "v1", "virtualmachineinstances")
SUBJECTS = _kind("anarchy.gpte.redhat.com", "v1", "anarchysubjects")
POOLS = _kind("poolboy.gpte.redhat.com", "v1", "resourcepools")
HANDLES = _kind("poolboy.gpte.redhat.com", "v1", "resourcehandles")
POOL_LABEL = "poolboy.gpte.redhat.com/resource-pool-name"
# The minAvailable a pool's handles were last reconciled to (set by the generator, too).
RECONCILED_MIN = "simulator.stargate.dev/reconciled-min-available"


class Controllers:
    """A store listener that schedules reconciliations on the server's event loop."""

    def __init__(
        self,
        store: Store,
        schedule: Schedule,
        delay: float = 0.1,
        anarchy_delay: float = 0.5,
        namespace_delay: float = 1.0,
    ) -> None:
        self.store = store
        self.schedule = schedule
        self.delay = delay
        self.anarchy_delay = anarchy_delay
        self.namespace_delay = namespace_delay
        store.add_listener(self.on_change)

    def on_change(self, store: Store, kind: Kind, change: Change) -> None:
        obj, meta = change.obj, change.obj["metadata"]
        ns, name = meta.get("namespace", ""), meta["name"]
        if change.type == "DELETED":
            self._later(self.delay, self.collect_garbage, ns, meta.get("uid", ""))
            if kind is PODS and _owner(obj, "ReplicaSet"):
                self._later(self.delay, self.reconcile_owner_of_rs, ns, _owner(obj, "ReplicaSet"))
        elif kind is DEPLOYMENTS and _spec_changed(obj):
            self._later(self.delay, self.reconcile_deployment, ns, name)
        elif kind is SUBJECTS and _vars(obj).get("desired_state") != _vars(obj).get(
            "current_state"
        ):
            self._later(self.anarchy_delay, self.settle_subject, ns, name)
        elif kind is POOLS and change.type == "MODIFIED":
            self._later(self.delay, self.reconcile_pool, ns, name)
        elif kind is NAMESPACES and meta.get("deletionTimestamp") and not meta.get("finalizers"):
            self._later(self.namespace_delay, self.finish_namespace, name)

    def _later(self, delay: float, action: Callable[..., None], *args: str) -> None:
        def run() -> None:
            try:
                action(*args)
            except (NotFound, Conflict):
                log.debug("simulator controller raced another writer: %s%r", action, args)

        self.schedule(delay, run)

    def collect_garbage(self, namespace: str, uid: str) -> None:
        for kind in (REPLICASETS, PODS, VMIS):
            for obj in self.store.list(kind, namespace):
                owners = obj["metadata"].get("ownerReferences") or []
                if any(ref.get("uid") == uid for ref in owners):
                    self.store.delete(kind, namespace, obj["metadata"]["name"])

    def reconcile_owner_of_rs(self, namespace: str, rs_name: str) -> None:
        rs = self.store.get(REPLICASETS, namespace, rs_name)
        deployment = _owner(rs, "Deployment") if rs else ""
        if deployment:
            self.reconcile_deployment(namespace, deployment, force=True)

    def reconcile_deployment(self, namespace: str, name: str, force: bool = False) -> None:
        deployment = self.store.get(DEPLOYMENTS, namespace, name)
        if deployment is None or not (force or _spec_changed(deployment)):
            return
        spec = deployment["spec"]
        rs_name = f"{name}-{template_hash(spec.get('template', {}))}"
        for rs in self._owned(REPLICASETS, namespace, deployment):
            if rs["metadata"]["name"] != rs_name:
                self.store.delete(REPLICASETS, namespace, rs["metadata"]["name"])
        rs = self.store.get(REPLICASETS, namespace, rs_name) or self.store.create(
            REPLICASETS, _replicaset(deployment, rs_name)
        )
        replicas = int(spec.get("replicas", 1))
        pods = self._owned(PODS, namespace, rs)
        for pod in pods[replicas:]:
            self.store.delete(PODS, namespace, pod["metadata"]["name"])
        broken = sticky_failure(deployment)
        for _ in range(replicas - len(pods)):
            self.store.create(PODS, _pod(rs, broken))
        ready = sum(1 for pod in self._owned(PODS, namespace, rs) if _ready(pod))
        self._write_status(deployment, rs, replicas, ready)

    def _write_status(self, deployment: Obj, rs: Obj, replicas: int, ready: int) -> None:
        meta = deployment["metadata"]
        current = self.store.get(DEPLOYMENTS, meta["namespace"], meta["name"])
        if current is None:
            return
        updated = copy.deepcopy(current)
        available = ready >= replicas
        updated["status"] = {
            "observedGeneration": current["metadata"].get("generation", 1),
            "replicas": replicas,
            "updatedReplicas": replicas,
            "conditions": [
                {
                    "type": "Available",
                    "status": str(available),
                    "reason": "MinimumReplicasAvailable"
                    if available
                    else "MinimumReplicasUnavailable",
                    "lastUpdateTime": now_iso(),
                    "lastTransitionTime": now_iso(),
                },
                {
                    "type": "Progressing",
                    "status": "True",
                    "reason": "NewReplicaSetAvailable" if available else "ReplicaSetUpdated",
                    "message": f"ReplicaSet {rs['metadata']['name']!r} is progressing.",
                    "lastUpdateTime": now_iso(),
                    "lastTransitionTime": now_iso(),
                },
            ],
        }
        if ready:
            updated["status"].update(readyReplicas=ready, availableReplicas=ready)
        if ready < replicas:
            updated["status"]["unavailableReplicas"] = replicas - ready
        self.store.update(DEPLOYMENTS, updated)

    def _owned(self, kind: Kind, namespace: str, owner: Obj) -> list[Obj]:
        uid = owner["metadata"].get("uid")
        return [
            obj
            for obj in self.store.list(kind, namespace)
            if any(ref.get("uid") == uid for ref in obj["metadata"].get("ownerReferences") or [])
        ]

    def settle_subject(self, namespace: str, name: str) -> None:
        subject = self.store.get(SUBJECTS, namespace, name)
        if subject is None:
            return
        updated = copy.deepcopy(subject)
        desired = _vars(updated).get("desired_state")
        updated["spec"]["vars"]["current_state"] = desired
        updated["spec"]["vars"]["healthy"] = True
        updated["metadata"].setdefault("labels", {})["state"] = desired
        self.store.update(SUBJECTS, updated)

    def reconcile_pool(self, namespace: str, name: str) -> None:
        """Keep `minAvailable` unclaimed handles, once per change of `minAvailable` (a change of
        the pool's status alone, e.g. a drained pool, refills nothing)."""
        pool = self.store.get(POOLS, namespace, name)
        if pool is None:
            return
        wanted = int(pool.get("spec", {}).get("minAvailable", 0))
        if (pool["metadata"].get("annotations") or {}).get(RECONCILED_MIN) == str(wanted):
            return
        free = pool_unclaimed_handles(self.store, namespace, name)
        for handle in free[wanted:]:
            self.store.delete(HANDLES, namespace, handle["metadata"]["name"])
        for _ in range(wanted - len(free)):
            self.store.create(HANDLES, resource_handle(pool))
        pool_status_refresh(self.store, namespace, name, reconciled_min=wanted)

    def finish_namespace(self, name: str) -> None:
        namespace = self.store.get(NAMESPACES, "", name)
        if namespace is None or namespace["metadata"].get("finalizers"):
            return
        self.store.delete_namespace_contents(name)
        self.store.delete(NAMESPACES, "", name)


def pool_unclaimed_handles(store: Store, namespace: str, name: str) -> list[Obj]:
    return [
        h
        for h in store.list(HANDLES, namespace)
        if h["metadata"].get("labels", {}).get(POOL_LABEL) == name
        and not h.get("spec", {}).get("resourceClaim")
    ]


def pool_status_refresh(
    store: Store, namespace: str, name: str, reconciled_min: int | None = None
) -> None:
    """Make the pool's `status.resourceHandleCount` and `resourceHandles` tell its unclaimed
    handles (written only when they changed, so the update wakes no further reconciliation)."""
    pool = store.get(POOLS, namespace, name)
    if pool is None:
        return
    handles = pool_unclaimed_handles(store, namespace, name)
    ready = [bool((h.get("status") or {}).get("ready", True)) for h in handles]
    status = {
        **(pool.get("status") or {}),
        "resourceHandleCount": {"available": len(handles), "ready": sum(ready)},
        "resourceHandles": [
            {"name": h["metadata"]["name"], "healthy": True, "ready": r}
            for h, r in zip(handles, ready, strict=True)
        ],
    }
    annotations = dict(pool["metadata"].get("annotations") or {})
    if reconciled_min is not None:
        annotations[RECONCILED_MIN] = str(reconciled_min)
    if status != pool.get("status") or annotations != (pool["metadata"].get("annotations") or {}):
        updated = copy.deepcopy(pool)
        updated["status"] = status
        updated["metadata"]["annotations"] = annotations
        store.update(POOLS, updated)


def resource_handle(pool: Obj, name: str | None = None) -> Obj:
    meta = pool["metadata"]
    return {
        "apiVersion": "poolboy.gpte.redhat.com/v1",
        "kind": "ResourceHandle",
        "metadata": {
            "name": name or f"guid-{uuid.uuid4().hex[:5]}",
            "namespace": meta["namespace"],
            "labels": {
                POOL_LABEL: meta["name"],
                "poolboy.gpte.redhat.com/resource-pool-namespace": meta["namespace"],
            },
        },
        "spec": {
            "resourcePool": {
                "apiVersion": "poolboy.gpte.redhat.com/v1",
                "kind": "ResourcePool",
                "name": meta["name"],
                "namespace": meta["namespace"],
            },
            "resources": pool.get("spec", {}).get("resources", []),
        },
        "status": {"healthy": True, "ready": True},
    }


def _owner(obj: Obj | None, kind: str) -> str:
    for ref in (obj or {}).get("metadata", {}).get("ownerReferences") or []:
        if ref.get("kind") == kind:
            return str(ref.get("name", ""))
    return ""


def _vars(obj: Obj) -> dict[str, object]:
    return dict(obj.get("spec", {}).get("vars") or {})


def _spec_changed(deployment: Obj) -> bool:
    observed = deployment.get("status", {}).get("observedGeneration")
    return bool(deployment["metadata"].get("generation", 1) != observed)


def template_hash(template: Obj) -> str:
    return hashlib.sha256(orjson.dumps(template, option=orjson.OPT_SORT_KEYS)).hexdigest()[:10]


def _owner_ref(owner: Obj) -> dict[str, object]:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _replicaset(deployment: Obj, name: str) -> Obj:
    template = copy.deepcopy(deployment["spec"].get("template", {}))
    pod_hash = name.rsplit("-", 1)[-1]
    labels = {**template.get("metadata", {}).get("labels", {}), "pod-template-hash": pod_hash}
    template.setdefault("metadata", {})["labels"] = labels
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": name,
            "namespace": deployment["metadata"]["namespace"],
            "labels": labels,
            "ownerReferences": [_owner_ref(deployment)],
        },
        "spec": {
            "replicas": deployment["spec"].get("replicas", 1),
            "template": template,
            "selector": {"matchLabels": labels},
        },
        "status": {"replicas": deployment["spec"].get("replicas", 1)},
    }


def sticky_failure(deployment: Obj) -> Obj | None:
    """The container state new pods get while a sticky failure's cause is still in the template.

    The annotation reads "imagepull <image>" or "oomkilled <memory limit>": a new pod fails the
    same way until the image (or the memory limit) changes, as on a real cluster.
    """
    note = (deployment["metadata"].get("annotations") or {}).get(STICKY_FAILURE, "")
    kind, _, cause = note.partition(" ")
    containers = deployment["spec"].get("template", {}).get("spec", {}).get("containers") or [{}]
    first = containers[0]
    if kind == "imagepull" and first.get("image") == cause:
        message = f'Back-off pulling image "{cause}"'
        return {"waiting": {"reason": "ImagePullBackOff", "message": message}}
    limit = first.get("resources", {}).get("limits", {}).get("memory")
    if kind == "oomkilled" and limit == cause:
        return {
            "waiting": {"reason": "CrashLoopBackOff", "message": "back-off 10s restarting"},
            "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}},
        }
    return None


def _ready(pod: Obj) -> bool:
    statuses = pod.get("status", {}).get("containerStatuses") or []
    return bool(statuses) and all(cs.get("ready") for cs in statuses)


def _pod(rs: Obj, broken: Obj | None = None) -> Obj:
    template = copy.deepcopy(rs["spec"]["template"])
    spec = template.get("spec", {})
    ready = broken is None
    state = (
        {"running": {"startedAt": now_iso()}} if broken is None else {"waiting": broken["waiting"]}
    )
    statuses = [
        {
            "name": c.get("name", "app"),
            "image": c.get("image", ""),
            "imageID": c.get("image", ""),
            "containerID": f"cri-o://{uuid.uuid4().hex}",
            "ready": ready,
            "started": ready,
            "restartCount": 0 if ready else 3,
            "state": state,
            **({"lastState": broken["lastState"]} if broken and "lastState" in broken else {}),
        }
        for c in spec.get("containers", [])
    ]
    pending = broken is not None and "lastState" not in broken
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{rs['metadata']['name']}-{uuid.uuid4().hex[:5]}",
            "namespace": rs["metadata"]["namespace"],
            "labels": template.get("metadata", {}).get("labels", {}),
            "annotations": template.get("metadata", {}).get("annotations", {}),
            "ownerReferences": [_owner_ref(rs)],
        },
        "spec": spec,
        "status": {
            "phase": "Pending" if pending else "Running",
            "startTime": now_iso(),
            "conditions": [
                {"type": t, "status": str(ready or t in ("Initialized", "PodScheduled"))}
                for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")
            ],
            "containerStatuses": statuses,
        },
    }
