"""Promotion: an accepted proposal becomes a versioned deterministic rule, replayed on the stored
evidence before it is switched on; `export_rules` writes the active ones for git.

draft (`rule_promote`) → replayed (`rule_replay`: every lab whose class would change) →
active (`rule_activate`; the engine applies it before any model call). A new version of a rule
retires the one before it when it is switched on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from pydantic import ValidationError

from labs.models import LabInstance
from rubrics_app.definitions import ClassificationRuleDef
from rubrics_app.engine import evaluate
from rubrics_app.models import ClassificationProposal, ClassificationRule, Evaluation
from rubrics_app.registry import (
    RULE_FIELDS,
    RuleRow,
    rubric_set_with_rules,
    scan_rubrics,
    scan_rules_clear,
)
from stargate import realtime

from .proposals import PROPOSALS, lab_class_refresh

NOVEL_CODE_BASE = 900  # promoted novel classes get SG-900 and up


class PromotionRefused(Exception):
    pass


@dataclass(frozen=True)
class RuleDraft:
    """The promotion form's fields, pre-filled from a reviewed proposal."""

    rule_id: str
    rubric_id: str
    criterion: str
    kind: str
    reason: str
    message_pattern: str
    failure_class: str
    description: str


def rule_draft_for(proposal: ClassificationProposal) -> RuleDraft:
    """A deterministic match for the proposal's failure: rubric, criterion, kind and reason as
    they are, the message's first words as an anchored pattern."""
    words = re.findall(r"[A-Za-z][A-Za-z ]{3,}", proposal.message)
    pattern = re.escape(words[0].strip()) if words else ""
    cls = proposal.final_class or proposal.proposed_class
    return RuleDraft(
        rule_id=f"{proposal.rubric_id}-{cls}"[:100],
        rubric_id=proposal.rubric_id,
        criterion=proposal.criterion,
        kind=proposal.kind,
        reason=proposal.reason,
        message_pattern=pattern,
        failure_class=cls,
        description=f"From proposal {proposal.pk}: {proposal.review_reason}"[:500],
    )


def _row(rule: ClassificationRule) -> RuleRow:
    return tuple(getattr(rule, name) for name in RULE_FIELDS)


def rule_promote(
    *, proposal: ClassificationProposal, draft: RuleDraft, user: User
) -> ClassificationRule:
    """A new draft version of the rule; refused unless the proposal was accepted or corrected,
    or when the match would be invalid."""
    if proposal.status not in (
        ClassificationProposal.Status.ACCEPTED,
        ClassificationProposal.Status.CORRECTED,
    ):
        raise PromotionRefused("only an accepted or corrected proposal becomes a rule")
    rubrics = scan_rubrics()
    if draft.rubric_id not in {r.id for r in rubrics.rubrics}:
        raise PromotionRefused(f"no rubric {draft.rubric_id!r}")
    try:
        ClassificationRuleDef.model_validate(
            {
                "id": draft.rule_id,
                "version": 1,
                "rubric": draft.rubric_id,
                "criterion": draft.criterion or None,
                "kind": draft.kind or None,
                "reason": draft.reason or None,
                "message_pattern": draft.message_pattern or None,
                "class": draft.failure_class,
            }
        )
    except ValidationError as exc:
        raise PromotionRefused(exc.errors()[0]["msg"]) from exc
    novel = draft.failure_class not in rubrics.classes
    with transaction.atomic():
        last = ClassificationRule.objects.filter(rule_id=draft.rule_id).aggregate(v=Max("version"))
        return ClassificationRule.objects.create(
            rule_id=draft.rule_id,
            version=(last["v"] or 0) + 1,
            rubric_id=draft.rubric_id,
            criterion=draft.criterion,
            kind=draft.kind,
            reason=draft.reason,
            message_pattern=draft.message_pattern,
            failure_class=draft.failure_class,
            description=draft.description,
            novel=novel,
            class_code=_novel_code(draft.failure_class) if novel else "",
            class_summary=f"Promoted from review: {draft.failure_class}" if novel else "",
            proposal=proposal,
            created_by=user,
            created_at=timezone.now(),
        )


def _novel_code(cls: str) -> str:
    held = ClassificationRule.objects.filter(failure_class=cls).exclude(class_code="").first()
    if held is not None:
        return held.class_code
    used = {c.code for c in scan_rubrics().classes.values()} | set(
        ClassificationRule.objects.exclude(class_code="").values_list("class_code", flat=True)
    )
    number = NOVEL_CODE_BASE
    while f"SG-{number}" in used:
        number += 1
    return f"SG-{number}"


def rule_replay(*, rule: ClassificationRule) -> list[dict[str, Any]]:
    """Evaluate every lab's stored evidence with and without the rule: each lab whose class (or
    a rubric's) would change, before → after. Stored on the rule; nothing else changes."""
    from scanning.models import LabEvidence

    current = scan_rubrics()
    active = tuple(
        _row(r)
        for r in ClassificationRule.objects.filter(status=ClassificationRule.Status.ACTIVE)
        if r.rule_id != rule.rule_id
    )
    before_set = rubric_set_with_rules(current, active)
    after_set = rubric_set_with_rules(current, (*active, _row(rule)))
    now = timezone.now()
    changes: list[dict[str, Any]] = []
    stored = LabEvidence.objects.filter(lab_instance__deleted_at__isnull=True).select_related(
        "lab_instance__cluster"
    )
    for row in stored.iterator():
        before = evaluate(row.evidence, before_set, now)
        after = evaluate(row.evidence, after_set, now)
        old = {o.rubric_id: o.failure_class for o in before.rubrics}
        for outcome in after.rubrics:
            if old.get(outcome.rubric_id, "") != outcome.failure_class:
                changes.append(
                    {
                        "lab": str(row.lab_instance),
                        "lab_instance": row.lab_instance_id,
                        "rubric": outcome.rubric_id,
                        "before": old.get(outcome.rubric_id, ""),
                        "after": outcome.failure_class,
                    }
                )
    rule.replay = changes
    rule.replayed_at = now
    rule.save(update_fields=["replay", "replayed_at"])
    return changes


def rule_activate(*, rule: ClassificationRule) -> ClassificationRule:
    """Switch a replayed rule on (older versions retire); the verdicts it now classifies take
    its class at once, and at every scan after."""
    if rule.replayed_at is None:
        raise PromotionRefused("replay the rule on the stored evidence before switching it on")
    with transaction.atomic():
        ClassificationRule.objects.filter(
            rule_id=rule.rule_id, status=ClassificationRule.Status.ACTIVE
        ).exclude(pk=rule.pk).update(status=ClassificationRule.Status.RETIRED)
        rule.status = ClassificationRule.Status.ACTIVE
        rule.activated_at = timezone.now()
        rule.save(update_fields=["status", "activated_at"])
        scan_rules_clear()  # this process at once; the others within RULES_REFRESH_SECONDS
        _apply(rule)
        if rule.proposal_id:
            realtime.publish_on_commit(PROPOSALS, [rule.proposal_id])
    return rule


def _apply(rule: ClassificationRule) -> None:
    """The replayed changes, written now (the next scan would write the same)."""
    action = scan_rubrics().actions.get(rule.failure_class, "")
    labs: set[int] = set()
    for change in rule.replay:
        if change["rubric"] != rule.rubric_id or change["after"] != rule.failure_class:
            continue
        Evaluation.objects.filter(
            lab_instance_id=change["lab_instance"], rubric_id=rule.rubric_id
        ).update(
            failure_class=rule.failure_class,
            class_source="rule",
            class_rule=f"{rule.rule_id}@v{rule.version}",
            recommended_action=action,
        )
        labs.add(change["lab_instance"])
    for lab in LabInstance.objects.filter(pk__in=labs):
        lab_class_refresh(lab)


def rules_export(path: Path) -> int:
    """Write the active rules (and the novel classes they introduced) in the schema the rubric
    loader reads (`classification_rules.yaml`); returns how many rules."""
    active = list(ClassificationRule.objects.filter(status=ClassificationRule.Status.ACTIVE))
    rules = []
    classes: dict[str, dict[str, Any]] = {}
    for rule in sorted(active, key=lambda r: r.rule_id):
        entry: dict[str, Any] = {
            "id": rule.rule_id,
            "version": rule.version,
            "rubric": rule.rubric_id,
        }
        for key in ("criterion", "kind", "reason", "message_pattern"):
            if getattr(rule, key):
                entry[key] = getattr(rule, key)
        entry["class"] = rule.failure_class
        if rule.description:
            entry["description"] = rule.description
        rules.append(entry)
        if rule.novel:
            classes[rule.failure_class] = {
                "id": rule.failure_class,
                "code": rule.class_code,
                "severity": "medium",
                "action": f"diagnose-{rule.failure_class}",
                "summary": rule.class_summary or rule.failure_class,
            }
    document = {"rules": rules, "classes": list(classes.values())}
    header = (
        "# Promoted classification rules: written by `manage.py export_rules`; review in git.\n"
    )
    path.write_text(header + yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return len(rules)


def diagnostic_actions_for(classes: list[str]) -> list[dict[str, Any]]:
    """The catalog entries a promoted novel class needs: its diagnostic action only."""
    return [
        {
            "id": f"diagnose-{cls}",
            "description": f"Diagnose: {cls} (a class promoted from review).",
            "risk": "low",
            "scope": "namespace",
            "allowed_when": [cls],
            "session_safe": True,
            "steps": [
                "Read the accepted proposal's reasoning and cited evidence on the review page.",
                "Check the failing objects and the namespace's warning events.",
            ],
        }
        for cls in classes
    ]
