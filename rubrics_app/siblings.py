"""Sibling comparison for the pages: how a failing lab differs from the healthy labs of its
catalog item, its own cluster's first (images and tags, env var names, never values, resource
requests, node, storage class). The same diff as the LLM evidence bundle's
(`classification.bundle.profile_diff`), read in two queries for any number of labs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from labs.models import LabInstance, Status

from .classification.bundle import profile_diff, sibling_evidence

ASPECTS = (
    ("images", "Images and tags"),
    ("env_names", "Env var names"),
    ("requests", "Resource requests"),
    ("nodes", "Node"),
    ("storage_classes", "Storage class"),
)


@dataclass(frozen=True)
class Difference:
    aspect: str
    only_this_lab: list[str]
    missing_here: list[str]


@dataclass(frozen=True)
class SiblingComparison:
    lab_pk: int
    siblings: list[tuple[str, str]]  # (cluster, namespace) of the healthy labs compared
    same_cluster: int  # how many of them run on the lab's own cluster
    differences: list[Difference]
    has_evidence: bool  # False: the lab has no stored evidence to compare


def sibling_comparisons(labs: Iterable[LabInstance]) -> dict[int, SiblingComparison]:
    """Lab pk → its comparison, for the labs that are not ready (one query for them all)."""
    failing = [lab for lab in labs if lab.status != Status.READY]
    if not failing:
        return {}
    stored, siblings = sibling_evidence(failing, own=True)
    found = {}
    for lab in failing:
        near = siblings.get(lab.pk, [])
        diff = profile_diff(stored.get(lab.pk) or {}, [s.evidence for s in near])
        found[lab.pk] = SiblingComparison(
            lab_pk=lab.pk,
            siblings=[(s.cluster, s.namespace) for s in near],
            same_cluster=sum(s.cluster_id == lab.cluster_id for s in near),
            differences=[
                Difference(label, diff[key]["only_this_lab"], diff[key]["missing_here"])
                for key, label in ASPECTS
                if key in diff
            ],
            has_evidence=lab.pk in stored,
        )
    return found
