"""Promotion: an accepted proposal → a versioned rule → replayed on stored evidence → switched
on; the engine applies it before any model call; `export_rules` writes what the loader reads."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from remediation.catalog import catalog_load
from rubrics_app.classification import proposals as review
from rubrics_app.classification import rules as promotion
from rubrics_app.classification.candidates import candidate_verdicts, candidates_classify
from rubrics_app.engine import evaluate
from rubrics_app.loader import CLASSIFICATION_RULES_FILE, RubricFileError, rubric_set_load
from rubrics_app.models import ClassificationProposal, Evaluation

from .classification_fixtures import NOW, reviewer, scan, unexplained

RUBRIC = "deployment-ready"


def _reviewed(lab: Any, cls: str = "") -> ClassificationProposal:
    scan(lab, unexplained())
    assert candidates_classify(log_tail=lambda *_: {}) == 1
    proposal = ClassificationProposal.objects.get()
    user = reviewer()
    if cls:
        return review.proposal_correct(
            proposal=proposal, reviewer=user, failure_class=cls, reason="seen it"
        )
    return review.proposal_accept(proposal=proposal, reviewer=user, reason="seen it")


@pytest.mark.smoke
def test_a_promoted_rule_is_replayed_then_switched_on_and_needs_no_model(
    lab_instance: Any, llm: Any
) -> None:
    proposal = _reviewed(lab_instance, cls="config-error")
    draft = promotion.rule_draft_for(proposal)
    assert (draft.rubric_id, draft.criterion, draft.kind, draft.reason) == (
        RUBRIC,
        "deployments-available",
        "Deployment",
        "KeyringLocked",
    )
    rule = promotion.rule_promote(proposal=proposal, draft=draft, user=proposal.reviewer)
    assert (rule.version, rule.status, rule.novel) == (1, "draft", False)
    with pytest.raises(promotion.PromotionRefused, match="replay"):
        promotion.rule_activate(rule=rule)
    changes = promotion.rule_replay(rule=rule)
    # The lab's stored class is the reviewed one; replay compares the rules' verdicts.
    assert [(c["lab_instance"], c["before"], c["after"]) for c in changes] == [
        (lab_instance.pk, "deployment-not-ready", "config-error")
    ]
    promotion.rule_activate(rule=rule)
    verdict = Evaluation.objects.get(lab_instance=lab_instance, rubric_id=RUBRIC)
    assert (verdict.class_source, verdict.class_rule) == ("rule", f"{rule.rule_id}@v1")
    calls = len(llm.requests)
    scan(lab_instance, unexplained(), NOW + timedelta(minutes=5))
    verdict.refresh_from_db()
    assert (verdict.failure_class, verdict.class_source) == ("config-error", "rule")
    assert verdict.recommended_action  # the catalog's action for the class
    assert not candidate_verdicts().exists() and len(llm.requests) == calls
    again = promotion.rule_promote(proposal=proposal, draft=draft, user=proposal.reviewer)
    assert again.version == 2


@pytest.mark.smoke
def test_only_a_reviewed_proposal_is_promoted(lab_instance: Any, llm: Any) -> None:
    scan(lab_instance, unexplained())
    candidates_classify(log_tail=lambda *_: {})
    proposal = ClassificationProposal.objects.get()
    with pytest.raises(promotion.PromotionRefused):
        promotion.rule_promote(
            proposal=proposal, draft=promotion.rule_draft_for(proposal), user=reviewer()
        )


@pytest.mark.smoke
def test_export_rules_writes_what_the_loader_reads_and_keeps_the_catalog_in_step(
    lab_instance: Any, llm: Any, tmp_path: Path
) -> None:
    proposal = _reviewed(lab_instance, cls="keyring-locked")  # a novel class
    rule = promotion.rule_promote(
        proposal=proposal, draft=promotion.rule_draft_for(proposal), user=proposal.reviewer
    )
    promotion.rule_replay(rule=rule)
    promotion.rule_activate(rule=rule)
    rubrics = tmp_path / "rubrics"
    shutil.copytree(settings.RUBRICS_DIR, rubrics)
    catalog = tmp_path / "catalog.yaml"
    shutil.copy(Path(settings.REMEDIATIONS_DIR) / "catalog.yaml", catalog)
    call_command(
        "export_rules",
        "--output",
        str(rubrics / CLASSIFICATION_RULES_FILE),
        "--catalog",
        str(catalog),
    )
    loaded = rubric_set_load(rubrics)
    assert [r.id for r in loaded.classification_rules] == [rule.rule_id]
    assert loaded.classes["keyring-locked"].code == "SG-900"
    # A new install: the file alone classifies the failure, no database rule, no model.
    result = evaluate(unexplained(), loaded, NOW)
    outcome = result.rubric(RUBRIC)
    assert (outcome.failure_class, outcome.class_source) == ("keyring-locked", "rule")
    assert outcome.action == "diagnose-keyring-locked"
    # The catalog and the classes stay in step (remediation/tests/test_catalog.py's rule).
    actions = catalog_load(catalog, failure_classes=set(loaded.classes))
    for class_id, definition in loaded.classes.items():
        assert actions.get(f"diagnose-{class_id}").diagnostic
        assert class_id in actions.get(definition.action).allowed_when


def test_the_rules_file_is_validated_with_file_and_field(tmp_path: Path) -> None:
    rubrics = tmp_path / "rubrics"
    shutil.copytree(settings.RUBRICS_DIR, rubrics)
    (rubrics / CLASSIFICATION_RULES_FILE).write_text(
        "rules:\n- {id: r1, version: 1, rubric: deployment-ready, reason: X, class: no-such}\n"
    )
    with pytest.raises(RubricFileError, match=r"classification_rules.yaml: rules.0.class"):
        rubric_set_load(rubrics)
    (rubrics / CLASSIFICATION_RULES_FILE).write_text(
        "rules:\n- {id: r1, version: 1, rubric: deployment-ready, class: crashloop}\n"
    )
    with pytest.raises(RubricFileError, match="at least one"):
        rubric_set_load(rubrics)
