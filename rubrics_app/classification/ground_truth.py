"""Spec 17's ground truth and accuracy, over the labs a person sees.

Ground truth: the classes people gave, deduplicated by (stage, class): reviewed proposals
(accepted: the proposed class; corrected: the reviewer's) and verdicts people judged on the lab
page (confirmed: the verdict's class; corrected: theirs), the latest word per verdict and
failure. Accuracy = approved / reviewed, overall and per class: a proposal is approved when
accepted, a verdict when confirmed. The AI page's calibration tables count proposals only; this
counts verdicts of every source (rules, defaults, the model) as well.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import QuerySet

from labs.models import LabInstance
from rubrics_app.models import ClassificationProposal, EvaluationFeedback
from rubrics_app.registry import scan_rubrics

Status = ClassificationProposal.Status
CORRECTIONS_SHOWN = 10


@dataclass
class Accuracy:
    label: str
    reviewed: int = 0
    approved: int = 0
    proposals: int = 0  # of the reviewed, how many were proposals (the rest verdicts)

    def add(self, approved: bool, proposal: bool) -> None:
        self.reviewed += 1
        self.approved += approved
        self.proposals += proposal

    @property
    def rate(self) -> float | None:
        return self.approved / self.reviewed if self.reviewed else None

    @property
    def rate_pct(self) -> str:
        return "-" if self.rate is None else f"{self.rate:.0%}"


@dataclass(frozen=True)
class Truth:
    stage: str
    failure_class: str
    cases: int
    sources: tuple[str, ...]  # "proposal", "verdict"


@dataclass
class Report:
    truth: list[Truth] = field(default_factory=list)
    overall: Accuracy = field(default_factory=lambda: Accuracy("all classes"))
    by_class: list[Accuracy] = field(default_factory=list)
    mean_confidence: dict[str, float | None] = field(default_factory=dict)
    corrections: list[tuple[str, str, int]] = field(default_factory=list)


class _Builder:
    def __init__(self) -> None:
        self.truth: dict[tuple[str, str], tuple[int, set[str]]] = {}
        self.classes: dict[str, Accuracy] = {}
        self.report = Report()
        self.corrections: Counter[tuple[str, str]] = Counter()

    def judged(self, judged_class: str, approved: bool, proposal: bool) -> None:
        self.report.overall.add(approved, proposal)
        self.classes.setdefault(judged_class, Accuracy(judged_class)).add(approved, proposal)

    def true_class(self, stage: str, cls: str, source: str) -> None:
        cases, sources = self.truth.get((stage, cls), (0, set()))
        self.truth[(stage, cls)] = (cases + 1, sources | {source})

    def build(self) -> Report:
        self.report.truth = [
            Truth(stage, cls, cases, tuple(sorted(sources)))
            for (stage, cls), (cases, sources) in sorted(self.truth.items())
        ]
        self.report.by_class = sorted(self.classes.values(), key=lambda a: (-a.reviewed, a.label))
        self.report.corrections = [
            (old, new, n) for (old, new), n in self.corrections.most_common(CORRECTIONS_SHOWN)
        ]
        return self.report


def _proposals(builder: _Builder, labs: QuerySet[LabInstance], stages: dict[str, str]) -> None:
    rows = ClassificationProposal.objects.filter(
        lab_instance__in=labs, status__in=[Status.ACCEPTED, Status.CORRECTED, Status.REJECTED]
    ).values_list("rubric_id", "proposed_class", "final_class", "status", "confidence")
    confidence: dict[str, list[float]] = {s: [] for s in (Status.ACCEPTED, Status.CORRECTED)}
    confidence[Status.REJECTED] = []
    for rubric_id, proposed, final, status, score in rows:
        confidence[status].append(score)
        builder.judged(proposed, status == Status.ACCEPTED, proposal=True)
        if status != Status.REJECTED and final:
            builder.true_class(stages.get(rubric_id, rubric_id), final, "proposal")
        if status == Status.CORRECTED and final:
            builder.corrections[(proposed, final)] += 1
    builder.report.mean_confidence = {
        str(s): statistics.fmean(values) if values else None for s, values in confidence.items()
    }


def _verdicts(builder: _Builder, labs: QuerySet[LabInstance]) -> None:
    rows = EvaluationFeedback.objects.filter(lab_instance__in=labs).values_list(
        "evaluation_id",
        "fingerprint",
        "stage",
        "failure_class",
        "correct_classification",
        "corrected_class",
    )
    latest = {}  # the latest word per verdict and failure
    for row in rows.order_by("submitted_at", "pk"):
        latest[(row[0], row[1])] = row[2:]
    for stage, judged, correct, corrected in latest.values():
        if correct is None:
            continue
        builder.judged(judged, correct, proposal=False)
        if correct:
            builder.true_class(stage, judged, "verdict")
        elif corrected:
            builder.true_class(stage, corrected, "verdict")
            builder.corrections[(judged, corrected)] += 1


def ground_truth_report(labs: QuerySet[LabInstance]) -> Report:
    """The report over these labs' reviewed proposals and judged verdicts (two queries)."""
    stages = {r.id: r.stage for r in scan_rubrics().rubrics}
    builder = _Builder()
    _proposals(builder, labs, stages)
    _verdicts(builder, labs)
    return builder.build()
