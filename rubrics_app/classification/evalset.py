"""The classifier's evaluation (`manage.py eval_classifier`): a labelled set run through the
configured model; accuracy, a confusion matrix, cost and latency, to compare models.

Cases:
- generated: one lab per failure kind of the simulated fleet (the `CLASSIFIER_EVAL_CASES` seam),
  evaluated by the rubrics; their deterministic class is the label, and the bundle the model gets
  hides it (class source `default`, as for a real candidate);
- recorded: every failure signature a human reviewed (accepted or corrected): the stored bundle,
  and the reviewed class as the label.

Each case is one model call (no answer cache: the point is to ask), recorded in `LLMCall` under
the fingerprint `eval:<case>`; the budget and the breaker apply. An answer the quality gate
refuses counts as wrong (`(refused)`), a failed call as `(error)`.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from labs.models import Cluster, LabInstance, Status
from rubrics_app.engine import evaluate
from rubrics_app.llm.client import llm_call
from rubrics_app.llm.errors import LLMCallFailed
from rubrics_app.llm.gate import gate_check
from rubrics_app.models import ClassificationProposal, Evaluation
from rubrics_app.outcomes import ClassSource, Outcome
from rubrics_app.prompts import PromptDef
from rubrics_app.registry import scan_rubrics
from stargate.lib.evidence import NamespaceEvidence

from .bundle import _capped, _events, _failure

REFUSED, ERROR = "(refused)", "(error)"
LABELLED = (Outcome.FAILED, Outcome.WARN)


@dataclass(frozen=True)
class EvalCase:
    name: str
    source: str  # "generated" or "recorded"
    expected: str
    bundle: dict[str, Any]


@dataclass
class EvalReport:
    model: str
    rows: list[tuple[EvalCase, str]] = field(default_factory=list)  # (case, predicted)
    cost_usd: float = 0.0
    latencies_ms: list[int] = field(default_factory=list)
    tokens: int = 0

    @property
    def correct(self) -> int:
        return sum(1 for case, predicted in self.rows if case.expected == predicted)

    @property
    def accuracy(self) -> float:
        return self.correct / len(self.rows) if self.rows else 0.0

    def confusion(self) -> Counter[tuple[str, str]]:
        return Counter((case.expected, predicted) for case, predicted in self.rows)

    def lines(self) -> list[str]:
        out = [
            f"model {self.model}: {len(self.rows)} cases, {self.correct} correct, "
            f"accuracy {self.accuracy:.1%}",
        ]
        for source in ("generated", "recorded"):
            rows = [(c, p) for c, p in self.rows if c.source == source]
            if rows:
                right = sum(1 for c, p in rows if c.expected == p)
                out.append(f"  {source}: {right}/{len(rows)} ({right / len(rows):.1%})")
        if self.latencies_ms:
            p95 = sorted(self.latencies_ms)[max(0, int(len(self.latencies_ms) * 0.95) - 1)]
            out.append(
                f"latency: mean {statistics.fmean(self.latencies_ms):.0f} ms, p95 {p95} ms; "
                f"cost ${self.cost_usd:.4f} ({self.tokens} tokens)"
            )
        out.append("confusion matrix (expected → predicted: count), mistakes first:")
        pairs = sorted(self.confusion().items(), key=lambda kv: (kv[0][0] == kv[0][1], kv[0]))
        width = max((len(e) for (e, _), _ in pairs), default=0)
        out += [f"  {'✓' if e == p else '✗'} {e:<{width}} → {p}: {n}" for (e, p), n in pairs]
        return out


def generated_cases(
    evidences: Iterable[tuple[str, dict[str, Any]]], now: datetime | None = None
) -> list[EvalCase]:
    """Each generated lab's first failing rubric (as the lab's class), labelled with the class
    the rubrics give it, and the bundle a candidate would send with that class hidden."""
    rubrics = scan_rubrics()
    cases = []
    for kind, evidence in evidences:
        at = now or datetime.fromisoformat(str(evidence["collected_at"])) + timedelta(minutes=30)
        result = evaluate(cast(NamespaceEvidence, evidence), rubrics, at)
        outcome = next(
            (
                o
                for o in result.rubrics
                if o.outcome in LABELLED and o.failure_class == result.failure_class
            ),
            None,
        )
        if outcome is None or not outcome.failure_class:
            continue  # no lab-level failure to classify (e.g. still progressing)
        cases.append(EvalCase(kind, "generated", outcome.failure_class, _hidden(outcome, evidence)))
    return cases


def _hidden(outcome: Any, evidence: dict[str, Any]) -> dict[str, Any]:
    lab = LabInstance(
        cluster=Cluster(name=str(evidence.get("cluster", ""))),
        namespace=str(evidence.get("namespace", "")),
    )
    evaluation = Evaluation(
        lab_instance=lab,
        rubric_id=outcome.rubric_id,
        outcome=outcome.outcome.value,
        reason=outcome.reason,
        object_ref=outcome.object_ref,
        criteria=[c.as_json() for c in outcome.criteria],
        evidence_excerpt=outcome.evidence_excerpt(),
        class_source=ClassSource.DEFAULT.value,
    )
    failing = [c for c in evaluation.criteria if c.get("outcome") != Status.READY]
    return {
        "failure": _failure(evaluation),
        "criteria": _capped(failing),
        "deciding_objects": _capped(list(evaluation.evidence_excerpt)),
        "warning_events": _capped(_events(evidence)),
    }


def recorded_cases() -> list[EvalCase]:
    """One case per reviewed failure signature (accepted or corrected), the latest review."""
    reviewed = ClassificationProposal.objects.filter(
        status__in=[
            ClassificationProposal.Status.ACCEPTED,
            ClassificationProposal.Status.CORRECTED,
        ]
    ).order_by("-reviewed_at", "-pk")
    seen: set[str] = set()
    cases = []
    for proposal in reviewed.iterator():
        if proposal.signature in seen:
            continue
        seen.add(proposal.signature)
        name = f"proposal {proposal.pk} ({proposal.rubric_id}: {proposal.reason})"
        cases.append(EvalCase(name, "recorded", proposal.final_class, proposal.bundle))
    return cases


def eval_run(
    cases: Iterable[EvalCase],
    *,
    prompt: PromptDef,
    model: str,
    known_classes: Collection[str],
    action_names: Collection[str] = (),
    progress: Callable[[EvalCase, str], None] | None = None,
) -> EvalReport:
    """Ask the model once per case (never the cache), gate each answer, and count."""
    asked = prompt.model_copy(update={"model": model})
    report = EvalReport(model=model)
    for case in cases:
        values = {"evidence": case.bundle, "known_classes": sorted(known_classes)}
        try:
            reply = llm_call(prompt=asked, values=values, fingerprint=f"eval:{case.name}"[:64])
        except LLMCallFailed as exc:
            report.cost_usd += exc.call.cost_usd
            report.latencies_ms.append(exc.call.latency_ms)
            report.tokens += exc.call.total_tokens
            predicted = ERROR
        else:
            report.cost_usd += reply.call.cost_usd
            report.latencies_ms.append(reply.call.latency_ms)
            report.tokens += reply.call.total_tokens
            verdict = gate_check(
                prompt=asked,
                response=reply.content,
                evidence=case.bundle,
                known_classes=known_classes,
                action_names=action_names,
                finish_reason=reply.finish_reason,
            )
            accepted = verdict.accepted and reply.parsed is not None
            predicted = (
                str(reply.parsed["proposed_class"]) if accepted and reply.parsed else REFUSED
            )
        report.rows.append((case, predicted))
        if progress is not None:
            progress(case, predicted)
    return report
