"""Re-scan one lab namespace and re-evaluate it with the rubric engine, after an action.

Uses the scanner's collectors and the rubric engine directly (both pure over an ApiClient and
evidence): neither app has a per-namespace re-scan service yet.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from remediation.executors.base import ClusterAccess, ExecutionContext
from remediation.executors.k8s import api_client
from rubrics_app.engine import evaluate
from rubrics_app.loader import RubricSet, rubric_set_load
from rubrics_app.outcomes import LabEvaluation
from scanning.collect import evidence_collect, namespaces_collect
from scanning.normalize import evidence_build
from stargate.lib.evidence import NamespaceEvidence

RECOVERED = frozenset({"ready", "warn"})


@lru_cache(maxsize=4)
def rubric_set(directory: Path) -> RubricSet:
    return rubric_set_load(directory)


def namespace_evidence(cluster: ClusterAccess, namespace: str) -> NamespaceEvidence:
    with api_client(cluster) as api:
        namespaces = namespaces_collect(api)
        collected = evidence_collect(api, {namespace})
    return evidence_build(
        cluster=cluster.name,
        namespace=namespace,
        namespace_object=namespaces.get(namespace),
        objects={kind: per_ns.get(namespace, []) for kind, per_ns in collected.objects.items()},
        collected_at=timezone.now().isoformat(),
    )


def lab_reevaluate(cluster: ClusterAccess, namespace: str) -> LabEvaluation:
    evidence = namespace_evidence(cluster, namespace)
    return evaluate(evidence, rubric_set(settings.RUBRICS_DIR), timezone.now())


def lab_recovered(context: ExecutionContext) -> bool:
    return str(lab_reevaluate(context.cluster, context.namespace).status) in RECOVERED
