"""What a batch of candidates reads together: each lab's stored evidence and its healthy
siblings (one query), its recent state changes, the last reviewed proposals, and what the
collectors know of it (`rubrics_app.collected`: 5 queries, 6 when a pool is found), in a
constant number of queries for any number of candidates instead of as many per candidate
(`candidates.candidates_batch`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from labs.models import LabInstance
from rubrics_app.collected import collected_sections_many
from rubrics_app.models import StateChange

from .bundle import (
    MAX_CHANGES,
    REVIEWED_FIELDS,
    REVIEWED_SCANNED,
    Sibling,
    changes_rows,
    last_reviewed,
    sibling_evidence,
)


@dataclass
class BundleContext:
    evidence: dict[int, dict[str, Any]]  # lab pk → its stored evidence
    changes: dict[int, list[dict[str, str]]]  # lab pk → its last state changes
    siblings: dict[int, list[Sibling]]  # lab pk → its healthy siblings
    reviewed: list[dict[str, Any]] = field(default_factory=list)  # the last reviewed, newest first
    collected: dict[int, dict[str, Any]] = field(default_factory=dict)  # lab pk → its sections

    def reviewed_add(self, row: dict[str, Any]) -> None:
        """A proposal the batch stored as reviewed: the next candidates see it, as they would
        had it been stored before their bundle was built."""
        self.reviewed.insert(0, {k: row[k] for k in REVIEWED_FIELDS})
        del self.reviewed[REVIEWED_SCANNED:]


def bundle_context(
    labs: Iterable[LabInstance], reviewed: list[dict[str, Any]] | None = None
) -> BundleContext:
    """`reviewed`: the last reviewed proposals when the caller read them (`batch_reviews`)."""
    labs = list({lab.pk: lab for lab in labs}.values())
    pks = [lab.pk for lab in labs]
    evidence, siblings = sibling_evidence(labs, own=True)
    rank = Window(
        RowNumber(), partition_by=[F("lab_instance_id")], order_by=[F("at").desc(), F("pk").desc()]
    )
    rows = (
        StateChange.objects.filter(lab_instance_id__in=pks)
        .annotate(rank=rank)
        .filter(rank__lte=MAX_CHANGES)
        .order_by("lab_instance_id", "-at", "-pk")
    )
    by_lab: dict[int, list[StateChange]] = {}
    for change in rows:
        by_lab.setdefault(change.lab_instance_id, []).append(change)
    return BundleContext(
        evidence=evidence,
        changes={pk: changes_rows(found) for pk, found in by_lab.items()},
        siblings=siblings,
        reviewed=last_reviewed() if reviewed is None else reviewed,
        collected=collected_sections_many(labs),
    )
