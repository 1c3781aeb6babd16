"""`stargate.lib.sqlbulk`: COPY inserts and one-statement upserts store what `bulk_create`
stored (JSON given as pre-serialized text or as Python values, NULLs, times, choices)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from labs.models import Status
from labs.tests.factories import lab_instance as lab_instance_make
from rubrics_app.models import Evaluation, StateChange
from stargate.lib.sqlbulk import json_text, rows_insert, rows_upsert

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
FIELDS = ["outcome", "reason", "criteria", "progress_memory", "outcome_since", "evaluated_at"]


def _evaluation(lab_instance, rubric_id, **fields) -> Evaluation:
    return Evaluation(
        lab_instance=lab_instance, rubric_id=rubric_id, **{"evaluated_at": NOW, **fields}
    )


def test_it_inserts_rows_by_copy(db):
    instance = lab_instance_make()
    text = 'tab\there, newline\nhere, backslash \\ and "quotes", \u00e9'
    rows_insert(
        StateChange,
        [
            StateChange(lab_instance=instance, to_status=Status.FAILED, reason=text, at=NOW),
            StateChange(lab_instance=instance, from_status="failed", to_status="ready", at=NOW),
        ],
    )
    changes = list(StateChange.objects.order_by("pk").values_list("to_status", "reason", "at"))
    assert changes == [("failed", text, NOW), ("ready", "", NOW)]


def test_it_upserts_json_given_as_text_or_values(db):
    instance = lab_instance_make()
    criteria = [{"id": "c1", "evidence": [{"ref": "Pod/a", "reason": "x\ty\\z\u0001"}]}]
    rows_upsert(
        Evaluation,
        [
            _evaluation(instance, "r1", outcome="failed", criteria=json_text(criteria)),
            _evaluation(instance, "r2", progress_memory={"a": {"since": "t"}}),
        ],
        unique_fields=["lab_instance", "rubric_id"],
        update_fields=FIELDS,
    )
    first = Evaluation.objects.get(rubric_id="r1")
    assert (first.outcome, first.criteria, first.outcome_since) == ("failed", criteria, None)
    assert first.progress_memory == {}  # the field's default, as bulk_create stores it
    later = NOW + timedelta(minutes=1)
    rows_upsert(
        Evaluation,
        [_evaluation(instance, "r1", outcome="ready", outcome_since=later, evaluated_at=later)],
        unique_fields=["lab_instance", "rubric_id"],
        update_fields=FIELDS,
    )
    again = Evaluation.objects.get(rubric_id="r1")
    assert again.pk == first.pk
    assert (again.outcome, again.criteria, again.outcome_since) == ("ready", [], later)
    assert Evaluation.objects.get(rubric_id="r2").progress_memory == {"a": {"since": "t"}}
    assert Evaluation.objects.count() == 2
