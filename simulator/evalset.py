"""The classifier's labelled set, simulator side: one generated lab per lab failure kind, as the
evidence the scanner would store for it. `rubrics_app.classification.evalset` evaluates it with
the rubrics (their deterministic class is the label), hides that class and asks the model.

Reached through the `CLASSIFIER_EVAL_CASES` seam (`simulator.seams.classifier_eval_cases`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scanning.kinds import EVIDENCE_KINDS
from scanning.normalize import evidence_from_lists
from simulator.catalog import CATALOG
from simulator.failures import LAB_FAILURES
from simulator.generator import FleetSpec, LabRecord, generate_fleet

NOW = datetime(2026, 5, 5, 15, 0, tzinfo=UTC)
KINDS_BY_NAME = {
    "Endpoints": "endpoints",
    **{k[:-1]: k for k in EVIDENCE_KINDS if k != "endpoints"},
}


def _key(raw: dict[str, Any]) -> str | None:
    kind = str(raw.get("kind", "")).lower()
    return KINDS_BY_NAME.get(kind) or KINDS_BY_NAME.get(str(raw.get("kind", "")))


def failure_evidence(seed: int = 7) -> list[tuple[str, dict[str, Any]]]:
    """(failure kind, evidence) for every lab failure kind, on one generated cluster."""
    fleet = generate_fleet(
        FleetSpec(clusters=1, namespaces=1, failure_rate=0.0, seed=seed, now=NOW)
    )
    cluster = fleet.clusters[0]
    cases = []
    for index, (kind, (flavours, _)) in enumerate(LAB_FAILURES.items()):
        item = next(i for i, flavour in CATALOG.items() if flavour in flavours)
        guid = f"ev{index:03d}"
        record = LabRecord(cluster, f"sandbox-{guid}-{item}", guid, item, index + 1, kind)
        lab = fleet.build(record)
        lists: dict[str, list[dict[str, Any]]] = {k: [] for k in EVIDENCE_KINDS}
        for raw in lab.objects():
            key = _key(raw)
            if key is not None:
                lists[key].append(raw)
        namespace = lab.namespace if lab.present else None
        evidence = evidence_from_lists(
            cluster=cluster,
            namespaces={record.namespace: namespace},
            lists=lists,
            collected_at=NOW.isoformat(),
        )[record.namespace]
        cases.append((kind, dict(evidence)))
    return cases
