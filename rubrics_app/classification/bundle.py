"""The evidence bundle one candidate sends the model, built from stored (redacted) evidence.

Sections: the failure, the failing criteria and their deciding objects, the namespace's warning
events, a bounded log tail of the failing containers (fetched on demand), the lab's recent state
changes, what differs from healthy sibling labs of the same catalog item, similar reviewed
proposals, and what the collectors know of the lab (its catalog item's failed automation jobs,
its pool, its sessions, its smoke tests: `rubrics_app.collected`, each section only when it has
something). Everything passes `stargate.lib.redact` and is size-capped here; the prompt hygiene
(`rubrics_app.llm.hygiene`) delimits and redacts it again when it is sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Case, F, Q, Value, When, Window
from django.db.models.functions import RowNumber

from labs.models import LabInstance, Status
from rubrics_app.collected import collected_sections
from rubrics_app.llm.hygiene import clean_text, without_env_values
from rubrics_app.models import ClassificationProposal, Evaluation, StateChange
from stargate.lib.redact import redact, redact_text

MAX_SECTION_CHARS = 2000
MAX_EVENTS = 10
MAX_CHANGES = 10
MAX_SIMILAR = 5
REVIEWED_SCANNED = 200
REVIEWED_FIELDS = ("message", "final_class", "proposed_class", "confidence", "status")
if TYPE_CHECKING:
    from .context import BundleContext

LogTail = Callable[[LabInstance, dict[str, Any]], dict[str, str]]  # lab, stored evidence


def _capped(value: Any, limit: int = MAX_SECTION_CHARS) -> Any:
    """Redacted; a section too long for the prompt is cut as text."""
    clean = without_env_values(redact(value))
    text = json.dumps(clean, sort_keys=True, default=str, ensure_ascii=False)
    return clean if len(text) <= limit else clean_text(text, limit=limit)


def deciding_criterion(evaluation: Evaluation) -> dict[str, Any]:
    """The criterion that decided the verdict: the first failed (else unknown) one."""
    criteria = list(evaluation.criteria or [])
    for outcome in (Status.FAILED, Status.UNKNOWN, Status.WARN):
        for criterion in criteria:
            if criterion.get("outcome") == outcome:
                return dict(criterion)
    return dict(criteria[0]) if criteria else {}


def deciding_kind(evaluation: Evaluation) -> str:
    return evaluation.object_ref.split("/", 1)[0] if "/" in evaluation.object_ref else ""


def _failure(evaluation: Evaluation) -> dict[str, Any]:
    criterion = deciding_criterion(evaluation)
    lab = evaluation.lab_instance
    return {
        "rubric": evaluation.rubric_id,
        "outcome": evaluation.outcome,
        "criterion": criterion.get("id", ""),
        "kind": deciding_kind(evaluation),
        "object": evaluation.object_ref,
        "reason": criterion.get("reason", ""),
        "message": redact_text(str(criterion.get("message") or evaluation.reason))[:2000],
        # The rubric's fallback says nothing about the cause: only its source is told.
        "class_source": evaluation.class_source,
        "cluster": lab.cluster.name,
        "namespace": lab.namespace,
    }


def _events(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    events = (evidence.get("objects") or {}).get("events") or []
    return [
        {
            "reason": e.get("reason", ""),
            "object": f"{(e.get('involvedObject') or {}).get('kind', '')}/"
            f"{(e.get('involvedObject') or {}).get('name', '')}",
            "message": e.get("message", ""),
        }
        for e in events[:MAX_EVENTS]
    ]


def _changes(lab: LabInstance, context: BundleContext | None = None) -> list[dict[str, str]]:
    if context is not None:
        return context.changes.get(lab.pk, [])
    rows = StateChange.objects.filter(lab_instance=lab).order_by("-at", "-pk")[:MAX_CHANGES]
    return changes_rows(rows)


def changes_rows(rows: Iterable[StateChange]) -> list[dict[str, str]]:
    return [
        {
            "rubric": c.rubric_id or "lab",
            "from": c.from_status,
            "to": c.to_status,
            "class": c.failure_class,
            "at": c.at.isoformat(),
        }
        for c in rows
    ]


def pod_profile(evidence: dict[str, Any]) -> dict[str, Any]:
    """What a sibling comparison looks at: images, env var names (never values), resource
    requests, nodes and storage classes."""
    objects = evidence.get("objects") or {}
    images: set[str] = set()
    env: set[str] = set()
    requests: set[str] = set()
    nodes: set[str] = set()
    storage: set[str] = set()
    for pod in objects.get("pods") or []:
        spec = pod.get("spec") or {}
        if spec.get("nodeName"):
            nodes.add(str(spec["nodeName"]))
        for container in spec.get("containers") or []:
            name = container.get("name", "")
            images.add(f"{name}={container.get('image', '')}")
            env.update(f"{name}.{n}" for n in container.get("envNames") or [])
            for resource, amount in (
                (container.get("resources") or {}).get("requests") or {}
            ).items():
                requests.add(f"{name}.{resource}={amount}")
    for pvc in objects.get("persistentvolumeclaims") or []:
        storage.add(str((pvc.get("spec") or {}).get("storageClassName") or ""))
    return {
        "images": images,
        "env_names": env,
        "requests": requests,
        "nodes": nodes,
        "storage_classes": storage - {""},
    }


@dataclass(frozen=True)
class Sibling:
    cluster_id: int
    cluster: str
    namespace: str
    evidence: dict[str, Any]


def healthy_siblings(labs: Iterable[LabInstance], limit: int = 3) -> dict[int, list[Sibling]]:
    """Lab pk → up to `limit` healthy labs of its catalog item, its own cluster's first (one
    query for all the labs: at most `limit` rows per catalog item and cluster)."""
    return sibling_evidence(labs, limit)[1]


def sibling_evidence(
    labs: Iterable[LabInstance], limit: int = 3, *, own: bool = False
) -> tuple[dict[int, dict[str, Any]], dict[int, list[Sibling]]]:
    """(lab pk → its own stored evidence, when `own`; lab pk → its healthy siblings), in one
    query: each lab's own row sits alone in its window partition, so it always ranks first."""
    from scanning.models import LabEvidence

    labs = list(labs)
    if not labs:
        return {}, {}
    pks = [lab.pk for lab in labs]
    mine = Case(When(lab_instance_id__in=pks, then=F("lab_instance_id")), default=Value(0))
    rank = Window(
        RowNumber(),
        partition_by=[F("lab_instance__lab_id"), F("lab_instance__cluster_id"), mine],
        order_by=F("lab_instance_id").asc(),
    )
    healthy = Q(
        lab_instance__lab_id__in={lab.lab_id for lab in labs},
        lab_instance__status=Status.READY,
        lab_instance__deleted_at__isnull=True,
    )
    rows = (
        LabEvidence.objects.filter(healthy | Q(lab_instance_id__in=pks) if own else healthy)
        .annotate(rank=rank, mine=mine)
        .filter(rank__lte=limit)
        .values_list(
            "lab_instance_id",
            "lab_instance__lab_id",
            "lab_instance__cluster_id",
            "lab_instance__cluster__name",
            "lab_instance__namespace",
            "evidence",
            "mine",
        )
    )
    evidence: dict[int, dict[str, Any]] = {}
    by_item: dict[int | None, list[tuple[Any, ...]]] = {}
    for row in sorted(rows, key=lambda r: r[0]):
        if row[6]:
            evidence[row[0]] = row[5]
        else:
            by_item.setdefault(row[1], []).append(row)
    found: dict[int, list[Sibling]] = {}
    for lab in labs:
        candidates = [r for r in by_item.get(lab.lab_id, []) if r[0] != lab.pk]
        candidates.sort(key=lambda r: r[2] != lab.cluster_id)  # its own cluster first
        found[lab.pk] = [Sibling(r[2], r[3], r[4], r[5]) for r in candidates[:limit]]
    return evidence, found


def profile_diff(evidence: dict[str, Any], healthy: list[dict[str, Any]]) -> dict[str, Any]:
    """What this evidence has that the healthy evidences do not, and the reverse."""
    profiles = [pod_profile(e) for e in healthy]
    if not profiles:
        return {"healthy_siblings": 0}
    mine = pod_profile(evidence)
    diff: dict[str, Any] = {"healthy_siblings": len(profiles)}
    for key, values in mine.items():
        usual = set.intersection(*(h[key] for h in profiles))
        seen = set.union(*(h[key] for h in profiles))
        only_here, missing = sorted(values - seen), sorted(usual - values)
        if only_here or missing:
            diff[key] = {"only_this_lab": only_here[:10], "missing_here": missing[:10]}
    return diff


def sibling_diff(
    lab: LabInstance,
    evidence: dict[str, Any],
    limit: int = 3,
    context: BundleContext | None = None,
) -> dict[str, Any]:
    """What this lab has that healthy labs of the same catalog item (its own cluster's first)
    do not, and the reverse."""
    if context is not None:
        siblings = context.siblings.get(lab.pk, [])
    else:
        siblings = healthy_siblings([lab], limit)[lab.pk]
    return profile_diff(evidence, [s.evidence for s in siblings])


_WORD = re.compile(r"[A-Za-z][\w-]{4,}")


def last_reviewed() -> list[dict[str, Any]]:
    """The last 200 reviewed proposals, as `similar_reviewed` reads them."""
    return list(
        ClassificationProposal.objects.exclude(
            status=ClassificationProposal.Status.PROPOSED
        ).values(*REVIEWED_FIELDS)[:REVIEWED_SCANNED]
    )


def similar_reviewed(
    message: str, reviewed: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Spec 16.2: keywords are the first 5 words of the message longer than 4 characters; among
    the last 200 reviewed proposals (`reviewed`: read once for a batch), those with 2 hits or
    more, best first, at most 5."""
    keywords = [w.lower() for w in _WORD.findall(message)][:5]
    if not keywords:
        return []
    if reviewed is None:
        reviewed = last_reviewed()
    scored = []
    for row in reviewed:
        text = row["message"].lower()
        hits = sum(1 for word in keywords if word in text)
        if hits >= 2:
            scored.append((hits / len(keywords), row))
    scored.sort(key=lambda pair: -pair[0])
    return [
        {
            "class": row["final_class"] or row["proposed_class"],
            "confidence": row["confidence"],
            "verdict": row["status"],
        }
        for _, row in scored[:MAX_SIMILAR]
    ]


def evidence_bundle(
    evaluation: Evaluation,
    evidence: dict[str, Any],
    log_tail: LogTail | None = None,
    context: BundleContext | None = None,
) -> dict[str, Any]:
    """The redacted, capped bundle for one candidate verdict. `context`: the sections a batch of
    candidates read together (`context.bundle_context`), else each is read here."""
    lab = evaluation.lab_instance
    failure = _failure(evaluation)
    failing = [c for c in evaluation.criteria or [] if c.get("outcome") != Status.READY]
    bundle: dict[str, Any] = {
        "failure": failure,
        "criteria": _capped(failing),
        "deciding_objects": _capped(list(evaluation.evidence_excerpt or [])),
        "warning_events": _capped(_events(evidence)),
        "recent_changes": _changes(lab, context),
        "sibling_diff": _capped(sibling_diff(lab, evidence, context=context)),
        "similar_reviewed": similar_reviewed(
            failure["message"], context.reviewed if context is not None else None
        ),
    }
    collected = context.collected.get(lab.pk, {}) if context else collected_sections(lab)
    for name, section in collected.items():
        bundle[name] = _capped(section)
    if log_tail is not None:
        logs = log_tail(lab, evidence)
        if logs:
            bundle["log_tail"] = {k: redact_text(v)[-MAX_SECTION_CHARS:] for k, v in logs.items()}
    redacted: dict[str, Any] = redact(bundle)
    return redacted
