"""A steady tier-3 scan: unchanged namespaces are not normalized again, changed ones are, and
the evidence is the same as a scan from scratch would store; a first scan creates its lab
instances in bulk."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labs.models import Lab, LabInstance
from scanning import collect, normalize
from scanning.models import LabEvidence, ScanRun
from scanning.services import scan_run_execute
from scanning.tests.fixtures_scan import cluster_row, lab_pod, namespace_obj
from simulator import Store
from simulator.kinds import kind_for_object
from stargate.models import ConfigChange

pytestmark = pytest.mark.django_db

LABS = [f"sandbox-s{i:02d}-steady" for i in range(12)]


def steady_store() -> Store:
    store = Store("steady")
    store.load([namespace_obj(ns) for ns in LABS])
    store.load(lab_pod(ns, f"app-{i}") for ns in LABS for i in range(3))
    return store


@pytest.fixture
def scanned(simulator_server: Any) -> tuple[Store, Any]:
    collect.NORMALIZED_CACHE.clear()
    store = steady_store()
    sim = simulator_server(stores={"steady": store})
    return store, cluster_row(sim, "steady")


def _normalized_pods(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Namespaces of the pods `object_normalize` is asked to trim from now on."""
    seen: list[str] = []
    real = normalize.object_normalize

    def counting(kind: str, raw: dict[str, Any]) -> dict[str, Any]:
        if kind == "pods":
            seen.append(raw["metadata"]["namespace"])
        return real(kind, raw)

    monkeypatch.setattr(normalize, "object_normalize", counting)
    return seen


def _evidence() -> dict[str, Any]:
    return {
        row.lab_instance.namespace: {k: v for k, v in row.evidence.items() if k != "collected_at"}
        for row in LabEvidence.objects.select_related("lab_instance")
    }


def _scan(cluster: Any) -> ScanRun:
    run = scan_run_execute(cluster=cluster, tier=3, force=True)
    assert run.status == ScanRun.Status.SUCCEEDED, run.errors
    return run


def test_a_steady_scan_normalizes_only_the_namespaces_that_changed(
    scanned: tuple[Store, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, cluster = scanned
    _scan(cluster)
    before = _evidence()
    pod = store.get(kind_for_object(lab_pod(LABS[4], "x")), LABS[4], "app-1")  # type: ignore[arg-type]
    assert pod is not None
    changed = lab_pod(LABS[4], "app-1", waiting="CrashLoopBackOff")
    changed["metadata"]["resourceVersion"] = pod["metadata"]["resourceVersion"]
    store.update(kind_for_object(changed), changed)  # type: ignore[arg-type]

    normalized = _normalized_pods(monkeypatch)
    _scan(cluster)
    after = _evidence()

    assert normalized and set(normalized) == {LABS[4]}
    assert {ns for ns in LABS if after[ns] != before[ns]} == {LABS[4]}
    states = [
        c["state"]
        for p in after[LABS[4]]["objects"]["pods"]
        for c in p["status"]["containerStatuses"]
    ]
    assert {"waiting": {"reason": "CrashLoopBackOff"}} in states


def test_cached_evidence_equals_evidence_read_from_scratch(scanned: tuple[Store, Any]) -> None:
    _, cluster = scanned
    _scan(cluster)
    _scan(cluster)  # from the cache
    cached = _evidence()
    collect.NORMALIZED_CACHE.clear()
    _scan(cluster)
    assert _evidence() == cached


def test_the_cache_stays_within_its_bound() -> None:
    cache = collect.NormalizedCache(max_bytes=400)
    for i in range(30):
        namespace = f"sandbox-b{i:02d}-bound"
        assert cache.packed("pods", namespace, [lab_pod(namespace, "app")])
        assert cache.size <= 400
    assert len(cache._blobs) < 30


def test_a_first_scan_creates_its_lab_instances_in_a_few_queries(
    scanned: tuple[Store, Any],
) -> None:
    _, cluster = scanned
    with CaptureQueriesContext(connection) as queries:
        _scan(cluster)
    inserts = [
        q["sql"]
        for q in queries
        if q["sql"].startswith("INSERT") and 'INTO "labs_labinstance"' in q["sql"]
    ]
    assert len(inserts) == 1
    assert LabInstance.objects.filter(cluster=cluster).count() == len(LABS)
    # The new catalog entry is created as before: one audited Lab.
    lab = Lab.objects.get(catalog_item="steady")
    assert ConfigChange.objects.filter(model="labs.lab", object_id=str(lab.pk)).exists()


def test_a_swept_lab_whose_namespace_is_back_is_revived(scanned: tuple[Store, Any]) -> None:
    _, cluster = scanned
    _scan(cluster)
    LabInstance.objects.filter(cluster=cluster, namespace=LABS[0]).update(
        deleted_at="2026-01-01T00:00Z"
    )
    _scan(cluster)
    assert LabInstance.objects.get(cluster=cluster, namespace=LABS[0]).deleted_at is None
