"""Generate a realistic simulated fleet: N clusters x M lab namespaces, deterministic per seed."""

from __future__ import annotations

import dataclasses
import gc
import random
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from simulator import babylon, catalog, platform
from simulator.builders import namespace as namespace_object
from simulator.catalog import CATALOG
from simulator.context import BuildContext, Obj
from simulator.failures import FAILURE_KINDS, LAB_FAILURES
from simulator.lab import Lab, build_lab
from simulator.platform import NODE_FAILURES
from simulator.store import Store

ANARCHY_NAMESPACES = ("babylon-anarchy-0", "babylon-anarchy-1", "babylon-anarchy-2")
PLATFORM_NAMESPACES = (
    platform.POOL_NAMESPACE,
    platform.CLAIM_NAMESPACE,
    catalog.CATALOG_NAMESPACE,
    babylon.SANDBOX_API_NAMESPACE,
)


@dataclass(frozen=True)
class FleetSpec:
    clusters: int = 3
    namespaces: int = 60  # lab namespaces per cluster
    failure_rate: float = 0.1
    seed: int = 7
    # Relative weights per failure kind; None cycles through every kind in a seeded order, so
    # that any fleet with at least len(FAILURE_KINDS) failures shows each kind.
    failure_weights: Mapping[str, float] | None = None
    now: datetime | None = None


@dataclass(frozen=True)
class LabRecord:
    cluster: str
    namespace: str
    guid: str
    catalog_item: str
    index: int
    failure: str  # "" when healthy


@dataclass
class Fleet:
    spec: FleetSpec
    now: datetime
    objects: dict[str, list[Obj]] = field(default_factory=dict)  # cluster -> objects
    labs: list[LabRecord] = field(default_factory=list)
    node_failures: list[tuple[str, str, str]] = field(default_factory=list)  # cluster, node, kind
    showroom: dict[tuple[str, str], str] = field(default_factory=dict)  # (cluster, ns) -> state
    nodes: dict[str, list[str]] = field(default_factory=dict)  # cluster -> worker names

    @property
    def clusters(self) -> list[str]:
        return list(self.objects)

    def failure_mix(self) -> Counter[str]:
        """How many of each failure kind the fleet shows."""
        mix = Counter(lab.failure for lab in self.labs if lab.failure)
        mix.update(kind for _, _, kind in self.node_failures)
        return mix

    def stores(self) -> dict[str, Store]:
        """One store per cluster holding the generated objects (shared, not copied)."""
        stores = {}
        with _gc_paused():
            for cluster, objects in self.objects.items():
                stores[cluster] = Store(cluster)
                stores[cluster].load(objects)
        return stores

    def lab(self, cluster: str, namespace: str) -> LabRecord:
        for record in self.labs:
            if record.cluster == cluster and record.namespace == namespace:
                return record
        raise KeyError(f"no lab {namespace} on {cluster}")

    def build_node(self, cluster: str, name: str, failure: str = "") -> list[Obj]:
        """A node and (unless the failure hides them) its metrics, rebuilt with `failure`."""
        nodes, metrics = cluster_nodes(self, cluster)
        index = next(i for i, n in enumerate(nodes) if n["metadata"]["name"] == name)
        node, sample = nodes[index], metrics[index]
        if failure:
            NODE_FAILURES[failure](node, sample)
        return [node, sample] if "usage" in sample else [node]

    def build(self, record: LabRecord, failure: str | None = None) -> Lab:
        """The lab's objects, rebuilt exactly as generated, with `failure` instead if given."""
        return build_lab_record(self, record, record.failure if failure is None else failure)


def cluster_name(number: int) -> str:
    return f"sim-{number:02d}"


def _failure_picker(spec: FleetSpec, rng: random.Random) -> list[str]:
    kinds = list(FAILURE_KINDS)
    if spec.failure_weights is None:
        rng.shuffle(kinds)
        return kinds
    weighted = [k for k in kinds if spec.failure_weights.get(k, 0) > 0]
    weights = [spec.failure_weights[k] for k in weighted]
    return rng.choices(weighted, weights, k=max(1, spec.clusters * spec.namespaces))


def generate_fleet(spec: FleetSpec) -> Fleet:
    """The fleet `spec` describes; the same spec (seed and clock) gives the same fleet."""
    # Tens of thousands of fresh dicts make the cyclic GC rescan them over and over (3x slower);
    # they hold no cycles, so collection waits until the fleet is built.
    with _gc_paused():
        return _generate(spec)


@contextmanager
def _gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _generate(spec: FleetSpec) -> Fleet:
    now = spec.now or datetime.now(UTC).replace(microsecond=0)
    fleet = Fleet(spec=spec, now=now)
    rng = random.Random(f"{spec.seed}:fleet")
    order = _failure_picker(spec, rng)
    failing = 0
    for number in range(1, spec.clusters + 1):
        cluster = cluster_name(number)
        objects = fleet.objects.setdefault(cluster, [])
        nodes, metrics = cluster_nodes(fleet, cluster)
        fleet.nodes[cluster] = [
            n["metadata"]["name"] for n in nodes if "worker" in n["metadata"]["name"]
        ]
        for index in range(spec.namespaces):
            failure = ""
            if rng.random() < spec.failure_rate:
                failure = order[failing % len(order)]
                failing += 1
            if failure in NODE_FAILURES:
                _break_node(fleet, cluster, nodes, metrics, failure)
                failure = ""
            record = _record(rng, cluster, index, failure)
            fleet.labs.append(record)
            lab = build_lab_record(fleet, record, failure)
            fleet.showroom[(cluster, record.namespace)] = lab.showroom_state
            objects.extend(lab.objects())
            objects.extend(_claim(fleet, record, lab))
        # metrics-server lists no node it has no fresh sample for (an unreachable kubelet).
        sampled = [m for m in metrics if "usage" in m]
        objects.extend([*nodes, *sampled, *_platform(fleet, cluster)])
    return fleet


def _record(rng: random.Random, cluster: str, index: int, failure: str) -> LabRecord:
    flavours = LAB_FAILURES[failure][0] if failure else ("app", "vm", "model")
    item = rng.choice([i for i, flavour in CATALOG.items() if flavour in flavours])
    guid = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=5))
    return LabRecord(cluster, f"sandbox-{guid}-{item}", guid, item, index, failure)


def build_lab_record(fleet: Fleet, record: LabRecord, failure: str) -> Lab:
    rng = random.Random(f"{fleet.spec.seed}:{record.cluster}:{record.index}")
    ctx = BuildContext(
        record.cluster, record.namespace, rng, fleet.now, fleet.nodes.get(record.cluster, [])
    )
    anarchy = dataclasses.replace(ctx, namespace=ANARCHY_NAMESPACES[record.index % 3])
    subject = platform.anarchy_subject(anarchy, record.catalog_item, record.guid, record.namespace)
    lab = build_lab(ctx, record.catalog_item, record.guid, CATALOG[record.catalog_item], subject)
    if failure:
        LAB_FAILURES[failure][1](lab)
    return lab


def _claim(fleet: Fleet, record: LabRecord, lab: Lab) -> list[Obj]:
    rng = random.Random(f"{fleet.spec.seed}:{record.cluster}:{record.index}:claim")
    ctx = BuildContext(record.cluster, platform.CLAIM_NAMESPACE, rng, fleet.now)
    return babylon.lab_claim(ctx, record.catalog_item, record.guid, lab.subject)


def cluster_nodes(fleet: Fleet, cluster: str) -> tuple[list[Obj], list[Obj]]:
    """The cluster's healthy nodes and their metrics, in step (same index), as generated."""
    ctx = BuildContext(cluster, "", random.Random(f"{fleet.spec.seed}:{cluster}:nodes"), fleet.now)
    workers = max(3, -(-fleet.spec.namespaces // 25))
    nodes = [platform.node(ctx, f"master-{i}", "master", 8, 32) for i in range(3)]
    # Workers carry the hardware label of the substrate router (23.6): one Gaudi, the rest Xeon 6.
    nodes += [
        platform.node(ctx, f"worker-{i}", "worker", 32, 128, "gaudi" if i == 0 else "xeon6")
        for i in range(workers)
    ]
    metrics = [platform.node_metrics(ctx, n, 0.2 + ctx.rng.random() * 0.4) for n in nodes]
    return nodes, metrics


def _break_node(
    fleet: Fleet, cluster: str, nodes: list[Obj], metrics: list[Obj], failure: str
) -> None:
    broken = {name for c, name, _ in fleet.node_failures if c == cluster}
    candidates = [
        i
        for i, n in enumerate(nodes)
        if n["metadata"]["name"] not in broken and "worker" in n["metadata"]["name"]
    ]
    if not candidates:
        return
    index = candidates[0]
    NODE_FAILURES[failure](nodes[index], metrics[index])
    fleet.node_failures.append((cluster, nodes[index]["metadata"]["name"], failure))


def _platform(fleet: Fleet, cluster: str) -> list[Obj]:
    """Platform namespaces, the Babylon catalog, pools with their handles, claims' handles."""
    rng = random.Random(f"{fleet.spec.seed}:{cluster}:platform")
    objects = []
    for name in (*PLATFORM_NAMESPACES, *ANARCHY_NAMESPACES):
        objects.append(namespace_object(BuildContext(cluster, name, rng, fleet.now), {}))
    index = fleet.clusters.index(cluster) + 1
    return objects + babylon.hub_objects(fleet.spec.seed, cluster, index, fleet.now)
