"""Check every live lab against its AgnosticV definition (platform-contracts 12) and store the
violations, after each AgnosticV cycle.

What a lab was seen to run comes from its stored evidence (namespace, pod, deployment and
statefulset names; a showroom pod's `spec.contentSource`), and, off the scanner's hot path, from
one read per cluster of its lab instances: the OLM Subscriptions (operator names and installed
channels) and the ClusterVersion (`status.desired.version`). A cluster that cannot be read
leaves those checks out for its labs (named in the summary).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction

from collectors.constraints import Declared, Observed, Violation, violations
from collectors.http import obj
from collectors.models import (
    CatalogDefinition,
    ConstraintViolation,
    LabIdentity,
    LabMapping,
    ScheduledLab,
)
from collectors.runner import mask
from labs.models import Cluster, Lab, LabInstance
from rubrics_app.models import Evaluation
from scanning.client import ClusterAccessError, api_client_for, get_raw, list_all
from scanning.models import LabEvidence

SUBSCRIPTIONS = "/apis/operators.coreos.com/v1alpha1/subscriptions"
CLUSTER_VERSION = "/apis/config.openshift.io/v1/clusterversions/version"
NAMED_KINDS = ("pods", "deployments", "statefulsets")
STAGE_FILES = ("event.yaml", "prod.yaml")  # preferred stage file of an item directory
PROBLEM_OUTCOMES = ("failed", "warn")


@dataclass
class ClusterFacts:
    channels: dict[str, str] = field(default_factory=dict)  # package or name → channel
    operators: list[str] = field(default_factory=list)
    version: str = ""
    error: str = ""


def cluster_facts(cluster: Cluster) -> ClusterFacts:
    """Subscriptions and the OpenShift version of one cluster; a kind it does not serve (404)
    is empty."""
    facts = ClusterFacts()
    try:
        api = api_client_for(cluster)
        with api:
            for sub in _optional_list(api, SUBSCRIPTIONS):
                spec = obj(sub.get("spec"))
                # the package (`kubevirt-hyperconverged`) and the subscription's own name
                names = {str(spec.get("name") or ""), str(obj(sub.get("metadata")).get("name"))}
                for name in sorted(n for n in names if n):
                    facts.operators.append(name)
                    if spec.get("channel"):
                        facts.channels[name] = str(spec["channel"])
            version = _optional_get(api, CLUSTER_VERSION)
            facts.version = str(obj(obj(version.get("status")).get("desired")).get("version") or "")
    except ClusterAccessError as exc:
        facts.error = mask(f"{exc.kind}: {exc}")
    return facts


def _optional_list(api: Any, path: str) -> list[dict[str, Any]]:
    try:
        return list_all(api, path)
    except ClusterAccessError as exc:
        if exc.kind == "not_found":
            return []
        raise


def _optional_get(api: Any, path: str) -> dict[str, Any]:
    try:
        found = get_raw(api, path)
    except ClusterAccessError as exc:
        if exc.kind == "not_found":
            return {}
        raise
    return found if isinstance(found, dict) else {}


# --- which definition, which code -------------------------------------------------------------


def _stage_file(paths: list[str], directory: str) -> str:
    inside = sorted(p for p in paths if p.startswith(directory.rstrip("/") + "/"))
    for name in STAGE_FILES:
        for path in inside:
            if path.endswith("/" + name):
                return path
    return inside[0] if inside else ""


def definition_path(
    paths: list[str], *, resolved: list[str], ci_name: str, slug: str, lab_code: str
) -> str:
    """Lookup for a lab (12): the resolved AgnosticV path; else `<event>/<slug>` from `ci_name`;
    else `<dir>/<slug>`; else a directory whose name starts with the lower-cased lab code."""
    known = set(paths)
    for path in resolved:
        if path in known:
            return path
        if path and (found := _stage_file(paths, path)):
            return found
    if "." in ci_name and (found := _stage_file(paths, "/".join(ci_name.split(".", 1)))):
        return found
    directories = sorted({p.split("/")[0] for p in paths})
    for directory in directories:
        if slug and (found := _stage_file(paths, f"{directory}/{slug}")):
            return found
    code = lab_code.lower()
    for path in sorted(paths):
        if code and path.split("/")[1].lower().startswith(code):
            return path
    return ""


@dataclass
class LabTarget:
    lab: Lab
    code: str
    ci_name: str
    instances: list[LabInstance]
    resolved_paths: list[str]


def lab_targets() -> list[LabTarget]:
    """Every lab with live instances, its lab code (Labagator, else a mapping, else the catalog
    item) and the AgnosticV paths its identities resolved."""
    scheduled = {s.lab_id: s for s in ScheduledLab.objects.exclude(lab=None).order_by("-source")}
    mapped = {m.lab_id: m.lab_code for m in LabMapping.objects.exclude(lab=None)}
    identities = defaultdict(list)
    for instance_id, path, code in LabIdentity.objects.exclude(instance=None).values_list(
        "instance_id", "agnosticv_path", "lab_code"
    ):
        identities[instance_id].append((path, code))
    by_lab: dict[int, LabTarget] = {}
    instances = LabInstance.objects.filter(deleted_at=None).select_related("lab", "cluster")
    for instance in instances.order_by("pk"):
        lab = instance.lab
        if lab.pk not in by_lab:
            entry = scheduled.get(lab.pk)
            code = entry.lab_code if entry else mapped.get(lab.pk, "")
            ci_name = entry.ci_name if entry else ""
            by_lab[lab.pk] = LabTarget(lab, code, ci_name, [], [])
        target = by_lab[lab.pk]
        target.instances.append(instance)
        for path, code in identities.get(instance.pk, []):
            target.resolved_paths += [path] if path else []
            target.code = target.code or code
    for target in by_lab.values():
        target.code = target.code or target.lab.catalog_item
    return list(by_lab.values())


# --- what was seen ----------------------------------------------------------------------------


def evidence_seen(instance_ids: list[int]) -> tuple[list[str], list[tuple[str, str]]]:
    """Names of namespaces, pods, deployments and statefulsets, and showroom content sources,
    from the instances' stored evidence."""
    names: list[str] = []
    showroom: list[tuple[str, str]] = []
    for evidence in LabEvidence.objects.filter(lab_instance_id__in=instance_ids).values_list(
        "evidence", flat=True
    ):
        names.append(str(evidence.get("namespace") or ""))
        objects = obj(evidence.get("objects"))
        for kind in NAMED_KINDS:
            for item in objects.get(kind) or []:
                names.append(str(obj(obj(item).get("metadata")).get("name") or ""))
        for pod in objects.get("pods") or []:
            source = obj(obj(obj(pod).get("spec")).get("contentSource"))
            if source:
                showroom.append((str(source.get("repo") or ""), str(source.get("ref") or "")))
    return [n for n in names if n], showroom


def observed_for(target: LabTarget, clusters: dict[int, ClusterFacts]) -> Observed:
    names, showroom = evidence_seen([i.pk for i in target.instances])
    channels: dict[str, str] = {}
    operators: list[str] = []
    versions: list[str] = []
    for cluster_id in sorted({i.cluster_id for i in target.instances}):
        facts = clusters.get(cluster_id) or ClusterFacts()  # a disabled cluster: not read
        channels |= facts.channels
        operators += facts.operators
        versions += [facts.version] if facts.version else []
    return Observed(
        names=[*names, *operators] if names else [],
        channels=channels,
        showroom=showroom,
        ocp_versions=versions,
    )


def declared_of(definition: CatalogDefinition) -> Declared:
    return Declared(
        workloads=list(definition.workloads),
        operator_channels=dict(definition.operator_channels),
        showroom_repo=definition.showroom_repo,
        showroom_ref=definition.showroom_ref,
        ocp_version=definition.ocp_version,
    )


def failure_class_for(instances: list[LabInstance], stage: str) -> str:
    """The latest failing or warning class of the stage among the lab's instances."""
    latest = (
        Evaluation.objects.filter(
            lab_instance__in=instances, rubric_id=stage, outcome__in=PROBLEM_OUTCOMES
        )
        .exclude(failure_class="")
        .order_by("-evaluated_at")
        .values_list("failure_class", flat=True)
        .first()
    )
    return latest or ""


# --- the refresh ------------------------------------------------------------------------------


def violations_refresh(now: datetime) -> dict[str, Any]:
    """Check every live lab with a definition; upsert what holds, remove what cleared."""
    definitions = {d.path: d for d in CatalogDefinition.objects.all()}
    paths = sorted(definitions)
    targets = lab_targets()
    cluster_ids = {i.cluster_id for t in targets for i in t.instances}
    readable = Cluster.objects.filter(pk__in=cluster_ids, enabled=True)
    clusters = {c.pk: cluster_facts(c) for c in readable}
    found: list[tuple[LabTarget, str, Violation]] = []
    checked = 0
    for target in targets:
        path = definition_path(
            paths,
            resolved=target.resolved_paths,
            ci_name=target.ci_name,
            slug=target.ci_name.split(".", 1)[-1] if target.ci_name else target.lab.catalog_item,
            lab_code=target.code,
        )
        if not path:
            continue
        checked += 1
        for violation in violations(declared_of(definitions[path]), observed_for(target, clusters)):
            found.append((target, path, violation))
    stored = _store(found, now)
    return {
        "labs_checked": checked,
        "violations": stored,
        "cluster_errors": {c.name: clusters[c.pk].error for c in _failed(clusters)},
    }


def _failed(clusters: dict[int, ClusterFacts]) -> list[Cluster]:
    return list(Cluster.objects.filter(pk__in=[k for k, v in clusters.items() if v.error]))


@transaction.atomic
def _store(found: list[tuple[LabTarget, str, Violation]], now: datetime) -> int:
    kept = []
    for target, path, violation in found:
        fields = {
            "lab": target.lab,
            "definition_path": path[:300],
            "expected": violation.expected[:400],
            "actual": violation.actual[:400],
            "severity": violation.severity,
            "detail": violation.detail,
            "correlated_stage": violation.correlated_stage,
            "correlated_failure_class": failure_class_for(
                target.instances, violation.correlated_stage
            )[:100],
            "last_seen": now,
        }
        row, _ = ConstraintViolation.objects.update_or_create(
            lab_code=target.code[:63],
            violation_type=violation.violation_type,
            subject=violation.subject[:200],
            defaults=fields,
            create_defaults={**fields, "detected_at": now},  # kept when it holds again
        )
        kept.append(row.pk)
    ConstraintViolation.objects.exclude(pk__in=kept).delete()
    return len(kept)
