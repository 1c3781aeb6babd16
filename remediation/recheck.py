"""Re-scan one lab namespace and re-evaluate it through the rubric service, after an action.

Uses the scanner's collectors (pure over an ApiClient) for one namespace, then
`rubrics_app.services.lab_instance_evaluate`, which records the evaluation and the lab's status:
a recovered lab shows READY everywhere without waiting for the next scheduled scan.
"""

from __future__ import annotations

from django.utils import timezone

from labs.models import LabInstance
from remediation.executors.base import ClusterAccess
from rubrics_app.outcomes import LabEvaluation
from rubrics_app.services import lab_instance_evaluate
from scanning.client import api_client_for
from scanning.collect import evidence_collect, namespaces_collect
from scanning.normalize import evidence_build
from stargate.lib.evidence import NamespaceEvidence

RECOVERED = frozenset({"ready", "warn"})


def namespace_evidence(cluster: ClusterAccess, namespace: str) -> NamespaceEvidence:
    with api_client_for(cluster) as api:
        namespaces = namespaces_collect(api)
        collected = evidence_collect(api, {namespace}, per_namespace=True)
    return evidence_build(
        cluster=cluster.name,
        namespace=namespace,
        namespace_object=namespaces.get(namespace),
        objects=collected.objects_of(namespace),
        collected_at=timezone.now().isoformat(),
    )


def lab_reevaluate(lab_instance: LabInstance, cluster: ClusterAccess) -> LabEvaluation:
    evidence = namespace_evidence(cluster, lab_instance.namespace)
    recorded = lab_instance_evaluate(
        lab_instance=lab_instance, evidence=evidence, now=timezone.now()
    )
    return recorded.result
