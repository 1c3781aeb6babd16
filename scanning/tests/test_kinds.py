"""`scanning.kinds` is the one registry of the resources StarGate reads."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

from rubrics_app.definitions import Presence
from scanning import kinds

ROOT = Path(__file__).resolve().parents[2]
APPS = ("stargate", "labs", "scanning", "rubrics_app", "remediation", "forecasting")


def test_it_keeps_the_evidence_kinds_in_collection_order() -> None:
    assert kinds.EVIDENCE_KINDS[:3] == ("pods", "deployments", "replicasets")
    assert len(kinds.EVIDENCE_KINDS) == len(set(kinds.EVIDENCE_KINDS)) == 14
    assert all(r.evidence and r.tiers == (2, 3) for r in kinds.EVIDENCE_RESOURCES)


def test_the_watcher_and_the_tiers_derive_from_it() -> None:
    assert [r.key for r in kinds.WATCHED] == ["pods", "virtualmachineinstances"]
    assert kinds.read_by_tier(1) == (kinds.NODES, kinds.NODE_METRICS, kinds.INGRESS_CONFIG)
    assert kinds.read_by_tier(4) == (kinds.RESOURCE_POOLS,)
    assert kinds.INGRESS_CONFIG.path() == "/apis/config.openshift.io/v1/ingresses/cluster"
    assert kinds.PODS.path("lab-a") == "/api/v1/namespaces/lab-a/pods"


def test_it_gives_the_read_rbac_of_every_resource() -> None:
    rules = kinds.read_rules()
    granted = {
        (g, p, v) for r in rules for g in r["apiGroups"] for p in r["resources"] for v in r["verbs"]
    }
    for resource in kinds.RESOURCES:
        for verb in resource.verbs:
            assert (resource.group, resource.plural, verb) in granted
    assert ("", "pods", "watch") in granted
    assert ("", "namespaces", "watch") not in granted


def test_rubric_presence_names_only_registered_kinds() -> None:
    derived = {"namespace", "showroom", "cluster_health", "smoke_tests"}
    assert set(get_args(Presence)) - derived <= set(kinds.EVIDENCE_KINDS)


def test_no_other_production_module_declares_a_resource() -> None:
    """A `Resource(...)` or an API group path outside the registry is a second list of kinds."""
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if {"tests", "simulator", "migrations"} & set(relative.parts):
                continue
            if relative == Path("scanning/kinds.py"):
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Resource":
                    offenders.append(f"{relative}:{node.lineno}")
    assert offenders == []


def test_the_normalizer_knows_exactly_the_registered_kinds() -> None:
    from scanning.normalize import PROJECTIONS

    read = {r.key for r in kinds.RESOURCES}
    assert set(kinds.EVIDENCE_KINDS) <= set(PROJECTIONS) <= read
