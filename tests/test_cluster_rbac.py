"""deploy/cluster-rbac: the scanner role equals what the code reads, and the remediation role
allows each executor's calls and nothing more.

Two checks each. Statically, the scanner role's grants are derived from the kind registry
(`scanning.kinds`, the watch's kinds and the ingress configuration path) plus the reads the
platform contract names. Dynamically, a scan of every tier, the watch and every executor run
against the simulator over real HTTP; each request the simulator receives is recorded and must
be allowed by the roles, and every grant of the remediation role must have been used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from inspect import getsource
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from labs.models import Cluster
from remediation.catalog import catalog_load
from remediation.execution import cluster_access
from remediation.executors import EXECUTORS, executor_for
from remediation.executors.base import ClusterAccess, ExecutionContext
from remediation.executors.rhdp_anarchy import anarchy_subject_find
from scanning import kinds, watch
from scanning.client import api_client_for
from scanning.models import ScanRun
from scanning.services import scan_run_execute
from simulator import FleetSpec, fleet_simulator, generate_fleet
from simulator.controllers import PODS, POOLS
from simulator.platform import POOL_NAMESPACE
from simulator.registry import control_file_write, simulator_dir

ROOT = Path(__file__).resolve().parent.parent
RBAC = ROOT / "deploy" / "cluster-rbac"
CATALOG = catalog_load(ROOT / "remediations" / "catalog.yaml")
READ_VERBS = ("list", "watch")

# (apiGroup, resource, verb, resourceName or "" for any)
Grant = tuple[str, str, str, str]

# Reads the platform contract names that the scanner role grants besides the registry's and the
# collectors' hub reads (`hub_reads`): pod logs (diagnostics), persistent volumes (orphaned
# volumes), OLM subscriptions and the cluster version (the AgnosticV constraint check,
# collectors.violations).
CONTRACT_READS: frozenset[Grant] = frozenset(
    {("", "pods/log", "get", ""), ("config.openshift.io", "clusterversions", "get", "version")}
    | {
        (group, plural, verb, "")
        for group, plural in (("", "persistentvolumes"), ("operators.coreos.com", "subscriptions"))
        for verb in READ_VERBS
    }
)

# Executor methods that never call a cluster's API (the sandbox API is its own HTTP service).
NOT_KUBERNETES = {"rhdp_sandbox_api"}


def manifests(directory: Path, *, recursive: bool = False) -> list[dict[str, Any]]:
    files = sorted(directory.rglob("*.yaml") if recursive else directory.glob("*.yaml"))
    return [doc for f in files for doc in yaml.safe_load_all(f.read_text()) if doc]


def role_rules(name: str) -> list[dict[str, Any]]:
    [role] = [
        d
        for d in manifests(RBAC, recursive=True)
        if d["kind"] == "ClusterRole" and d["metadata"]["name"] == name
    ]
    rules: list[dict[str, Any]] = role["rules"]
    return rules


def grants(rules: list[dict[str, Any]]) -> set[Grant]:
    return {
        (group, resource, verb, name)
        for rule in rules
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
        for name in rule.get("resourceNames") or [""]
    }


def allows(rules: list[dict[str, Any]], group: str, resource: str, verb: str, name: str) -> bool:
    """Kubernetes RBAC's rule match (wildcards included) for one resource request."""
    return any(
        {group, "*"} & set(rule["apiGroups"])
        and {resource, "*"} & set(rule["resources"])
        and {verb, "*"} & set(rule["verbs"])
        and (not rule.get("resourceNames") or name in rule["resourceNames"])
        for rule in rules
    )


def registry_resources() -> set[tuple[str, str]]:
    """(group, plural) of every resource the kind registry and the watch name."""
    found: set[tuple[str, str]] = set()

    def visit(value: Any) -> None:
        if isinstance(value, type):
            return
        if isinstance(getattr(value, "group", None), str) and hasattr(value, "plural"):
            if not getattr(value, "name", ""):  # a named object is one GET (below), not a list
                found.add((value.group, value.plural))
        elif isinstance(value, tuple | list | set | frozenset):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)

    for name, value in [*vars(kinds).items(), ("WATCHED", watch.WATCHED)]:
        if not name.startswith("_"):
            visit(value)
    return found


def hub_reads() -> set[tuple[str, str]]:
    """(group, plural) of every list the collectors' Babylon source makes on a hub: its
    `f"{POOLBOY}/namespaces/{pool_ns}/resourcepools"` paths, read from its source."""
    from collectors.sources import babylon

    bases = {
        name: value.split("/")[2]
        for name, value in vars(babylon).items()
        if isinstance(value, str) and value.startswith("/apis/")
    }
    paths = re.findall(r'f"\{([A-Z_]+)\}/(?:namespaces/\{\w+\}/)?([a-z]+)"', getsource(babylon))
    return {(bases[base], plural) for base, plural in paths if base in bases}


def path_grant(path: str, verb: str) -> Grant:
    """The grant a GET of a named object's API path needs."""
    parts = path.strip("/").split("/")
    group = "" if parts[0] == "api" else parts[1]
    rest = parts[2:] if parts[0] == "api" else parts[3:]
    if rest[0] == "namespaces" and len(rest) > 2:
        rest = rest[2:]
    return (group, rest[0], verb, rest[1] if len(rest) > 1 else "")


def expected_scanner_grants() -> set[Grant]:
    reads = registry_resources() | hub_reads()
    from_registry = {(g, p, verb, "") for g, p in reads for verb in READ_VERBS}
    ingress = path_grant(kinds.INGRESS_CONFIG.path(), "get")
    return from_registry | {ingress} | CONTRACT_READS


# --- static: the manifests --------------------------------------------------------------------


def test_every_manifest_validates_against_the_kubernetes_schemas() -> None:
    docs = manifests(RBAC, recursive=True)
    assert {d["kind"] for d in docs} == {
        "Namespace",
        "ServiceAccount",
        "Secret",
        "ClusterRole",
        "ClusterRoleBinding",
    }
    for doc in docs:
        kubernetes_validate.validate(doc, "1.30", strict=True)


def test_applying_the_folder_binds_only_the_read_only_role() -> None:
    """`oc apply -f deploy/cluster-rbac/` is not recursive: the write role stays out."""
    top = manifests(RBAC)
    assert {d["metadata"]["name"] for d in top if d["kind"] == "ClusterRole"} == {
        "stargate-scanner"
    }
    bindings = [d for d in manifests(RBAC, recursive=True) if d["kind"] == "ClusterRoleBinding"]
    [account] = [d for d in top if d["kind"] == "ServiceAccount"]
    for binding in bindings:
        assert binding["roleRef"]["name"] == binding["metadata"]["name"]
        assert binding["subjects"] == [
            {
                "kind": "ServiceAccount",
                "name": account["metadata"]["name"],
                "namespace": account["metadata"]["namespace"],
            }
        ]


def test_the_scanner_role_is_exactly_the_registrys_reads() -> None:
    actual = grants(role_rules("stargate-scanner"))
    expected = expected_scanner_grants()
    assert actual - expected == set(), "granted but not read"
    assert expected - actual == set(), "read but not granted"


def test_the_scanner_role_never_writes_nor_reads_secrets() -> None:
    for group, resource, verb, _ in grants(role_rules("stargate-scanner")):
        assert verb in {"get", "list", "watch"}
        assert "*" not in (group, resource, verb)
        assert resource not in {"secrets", "configmaps"}


def test_the_registry_walk_sees_the_scanned_kinds() -> None:
    """The derivation above finds the registry's entries (it would pass vacuously otherwise)."""
    found = registry_resources()
    assert {("", "pods"), ("", "nodes"), ("kubevirt.io", "virtualmachineinstances")} <= found
    assert ("poolboy.gpte.redhat.com", "resourcepools") in found
    hub = hub_reads()  # the collectors' Babylon source: pools, handles, claims, subjects, ...
    assert len(hub) >= 7 and ("babylon.gpte.redhat.com", "multiworkshops") in hub


# --- dynamic: what the simulator receives -----------------------------------------------------


@dataclass(frozen=True)
class Call:
    group: str
    resource: str  # with its subresource, as RBAC names it: "pods/log"
    verb: str
    name: str
    path: str


def verb_of(method: str, named: bool, query: Any) -> str:
    if method == "GET":
        if query.get("watch") in ("true", "1"):
            return "watch"
        return "get" if named else "list"
    if method == "DELETE":
        return "delete" if named else "deletecollection"
    return {"POST": "create", "PUT": "update", "PATCH": "patch"}[method]


def recorder(sim: Any) -> list[Call]:
    """Record every resource request each simulated cluster answers."""
    calls: list[Call] = []
    for server in sim.servers.values():
        handle = server.resources.handle

        async def recording(request: Any, target: Any, handle: Any = handle) -> Any:
            resource = target.kind.plural + (f"/{target.subresource}" if target.subresource else "")
            verb = verb_of(request.method, target.name is not None, request.query)
            calls.append(Call(target.kind.group, resource, verb, target.name or "", request.path))
            return await handle(request, target)

        server.resources.handle = recording
    return calls


@pytest.fixture
def fleet(settings: Any, tmp_path: Path) -> Iterator[tuple[Any, Any, Cluster, list[Call]]]:
    settings.DATA_DIR = tmp_path / "data"
    fleet = generate_fleet(FleetSpec(clusters=1, namespaces=4, failure_rate=0.5))
    sim = fleet_simulator(fleet, directory=tmp_path / "sim")
    try:
        control_file_write(sim=sim, directory=simulator_dir())
        name = fleet.clusters[0]
        cluster = Cluster.objects.create(
            name=name,
            api_url=sim.url(name),
            kubeconfig_path=str(sim.kubeconfig_path(name)),
            simulated=True,
            insecure_lab=True,
        )
        yield fleet, sim, cluster, recorder(sim)
    finally:
        sim.stop()


def refused(calls: list[Call], *roles: str) -> list[Call]:
    rules = [rule for role in roles for rule in role_rules(role)]
    return [c for c in calls if not allows(rules, c.group, c.resource, c.verb, c.name)]


@pytest.mark.django_db
def test_a_scan_of_every_tier_and_the_watch_need_only_the_scanner_role(fleet: Any) -> None:
    _fleet, _sim, cluster, calls = fleet
    for tier in (1, 2, 3, 4):
        run = scan_run_execute(cluster=cluster, tier=tier, force=True)
        assert run.status == ScanRun.Status.SUCCEEDED, run.errors
    with api_client_for(cluster) as api:
        for resource in watch.WATCHED:
            version = watch.list_version(api, resource)
            watch.watch_once(api, resource, version, lambda namespace: None, seconds=1)
    assert {c.verb for c in calls} == {"get", "list", "watch"}
    assert ("config.openshift.io", "ingresses", "get") in {
        (c.group, c.resource, c.verb) for c in calls
    }
    assert refused(calls, "stargate-scanner") == []


def test_the_recorded_check_refuses_a_call_outside_the_role() -> None:
    calls = [Call("", "secrets", "list", "", "/api/v1/secrets")]
    calls.append(Call("", "pods", "delete", "p", "/api/v1/namespaces/x/pods/p"))
    assert refused(calls, "stargate-scanner") == calls


def _context(access: ClusterAccess, action_id: str, namespace: str, **params: Any) -> Any:
    action = CATALOG.get(action_id)
    return ExecutionContext(
        action=action,
        parameters={**action.fixed, **params},
        namespace=namespace,
        cluster=access,
        allowed_prefixes=("sandbox-",),
    )


def run_every_cluster_executor(fleet: Any, sim: Any, access: ClusterAccess) -> set[str]:
    """Each catalog action of a cluster executor, run for real; returns the action ids run."""
    lab = fleet.labs[0]
    pod = sim.store().list(PODS, lab.namespace)[0]["metadata"]["name"]
    subject = anarchy_subject_find(access, lab.namespace)
    assert subject is not None
    meta = subject["metadata"]
    where = {"subject": meta["name"], "subject_namespace": meta["namespace"]}
    pool = sim.store().list(POOLS, POOL_NAMESPACE)[0]
    parameters: dict[str, dict[str, Any]] = {
        "restart-pod": {"pod": pod},
        "rollout-restart-deployment": {"deployment": "showroom"},
        "restart-showroom": {"deployment": "showroom"},
        "anarchy-retry-provision": where,
        "anarchy-destroy-stuck": where,
        "pool-scale": {
            "pool": pool["metadata"]["name"],
            "pool_namespace": POOL_NAMESPACE,
            "min_available": pool["spec"]["minAvailable"] + 1,
        },
    }
    for action_id, params in parameters.items():
        context = _context(access, action_id, lab.namespace, **params)
        executor = executor_for(context.action.method)(context=context)
        result = executor.execute()
        if context.action.undoable:
            executor.rollback(result.undo or {})
    return set(parameters)


@pytest.mark.django_db
def test_every_executor_needs_only_the_remediation_role_and_uses_all_of_it(fleet: Any) -> None:
    fleet_, sim, cluster, calls = fleet
    ran = run_every_cluster_executor(fleet_, sim, cluster_access(cluster))
    cluster_actions = {
        a.id for a in CATALOG.actions if a.method in EXECUTORS and a.method not in NOT_KUBERNETES
    }
    assert ran == cluster_actions, "a catalog action of a cluster executor is not exercised here"
    assert set(EXECUTORS) - NOT_KUBERNETES == {CATALOG.get(a).method for a in ran}
    # Reads (the AnarchySubject search) come under the scanner role; writes under remediation.
    assert refused(calls, "stargate-scanner", "stargate-remediation") == []
    writes = [c for c in calls if c.verb not in READ_VERBS]
    assert refused(writes, "stargate-remediation") == []
    used = {(c.group, c.resource, c.verb) for c in calls}
    unused = {g[:3] for g in grants(role_rules("stargate-remediation"))} - used
    assert unused == set(), "the remediation role grants what no executor does"
