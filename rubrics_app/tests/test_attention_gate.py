"""The attention gate (platform-contracts 19.4), step by step with the spec's numbers: 0 the
namespace prefix; 1 the attention class from 7-day baselines (provisioning under 20 min, stuck
past max(P95 ttr, 30 min), anomalous under 5 % of more than 50 evaluations, stuck past 60 min
without resolution data); 2 one per namespace in 4 h; 3 three per item per hour; 4 the daily
budgets (100 stuck, 50 anomalous, 150 in all); 5 a watch-and-wait profile that resolves itself
at 50 % or more; 6 three TRANSIENT of the last five unless no pass for 4 h."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from incidents.models import Cause
from labs.models import Status
from labs.tests import factories
from rubrics_app.investigation import attention
from rubrics_app.investigation.attention import AttentionGate, Baseline, attention_class, p95
from rubrics_app.models import StateChange

from .attention_fixtures import NOW, Trigger, evaluations, failing, resolutions, runs

pytestmark = pytest.mark.django_db
M = timedelta(minutes=1)


def _decide(evaluation: Any) -> attention.Decision:
    return AttentionGate(NOW).decide(evaluation)


# --- Step 1, pure: the attention class -----------------------------------------------------


def _class(first: int = 180, age: int = 45, **baseline: Any) -> str:
    figures = {"evaluations": 10, "fails": 5, "p95_ttr": None, **baseline}
    return attention_class(first_age=first * M, failure_age=age * M, baseline=Baseline(**figures))[
        0
    ]


def test_a_namespace_first_evaluated_under_20_minutes_ago_is_provisioning() -> None:
    assert _class(first=19, age=600) == "provisioning"
    assert _class(first=21, age=600) == "stuck"


def test_stuck_past_the_p95_time_to_resolve_or_30_minutes_whichever_is_longer() -> None:
    assert _class(age=41, p95_ttr=40 * 60) == "stuck"
    assert _class(age=39, p95_ttr=40 * 60) == "expected"
    assert _class(age=31, p95_ttr=10 * 60) == "stuck"  # the 30-minute floor
    assert _class(age=29, p95_ttr=10 * 60) == "expected"


def test_anomalous_under_5_percent_of_more_than_50_evaluations() -> None:
    assert _class(age=10, evaluations=51, fails=2) == "anomalous"  # 3.9 %
    assert _class(age=10, evaluations=50, fails=1) == "expected"  # not more than 50
    assert _class(age=10, evaluations=100, fails=5) == "expected"  # 5 % is not under 5 %


def test_without_resolution_data_stuck_past_60_minutes() -> None:
    assert _class(age=61) == "stuck"
    assert _class(age=59) == "expected"
    assert _class(age=59, p95_ttr=3600.0) == "expected"  # with data, the P95 rule decides


def test_p95_is_the_nearest_rank() -> None:
    assert p95([]) is None
    assert p95([float(n) for n in range(1, 21)]) == 19.0
    assert p95([5.0]) == 5.0


# --- The gate on stored rows, step by step ---------------------------------------------------


def test_step_0_only_sandbox_and_showroom_namespaces() -> None:
    decision = _decide(failing(namespace="openshift-gitops", age=90 * M))
    assert (decision.step, decision.reason) == (0, "not a sandbox- or showroom- namespace")
    assert _decide(failing(namespace="showroom-abc-1", age=90 * M)).step is None


@pytest.mark.smoke
def test_step_1_baselines_come_from_the_items_verdicts_and_resolution_records() -> None:
    item = factories.lab()
    resolutions(item, [float(m) for m in range(1, 21)])  # P95 = 19 min: the floor (30) wins
    stuck = _decide(failing(item=item, age=31 * M))
    assert (stuck.attention, stuck.step, stuck.trigger) == ("stuck", None, Trigger.AUTO_STUCK)
    assert "past 30 min" in stuck.reason
    expected = _decide(failing(item=item, age=29 * M))
    assert (expected.attention, expected.step) == ("expected", 1)
    assert expected.reason.startswith("expected: failing 29 min, P95 ttr 19 min")


def test_step_1_resolution_records_older_than_7_days_are_not_a_baseline() -> None:
    item = factories.lab()
    resolutions(item, [5.0] * 10, resolved_ago=timedelta(days=8))
    decision = _decide(failing(item=item, age=50 * M))
    assert (decision.attention, decision.step) == ("expected", 1)  # no data: 60 min
    assert "no resolution data" in decision.reason


def test_step_1_a_class_rare_for_its_item_is_anomalous() -> None:
    item = factories.lab()
    evaluations(item, total=60, fails=2)  # 3.3 %
    decision = _decide(failing(item=item, age=5 * M))
    assert (decision.attention, decision.trigger) == ("anomalous", Trigger.AUTO_ANOMALOUS)
    assert decision.step is None and "3.3% of 60 evaluations" in decision.reason
    common = factories.lab()
    evaluations(common, total=60, fails=6)  # 10 %
    assert _decide(failing(item=common, age=5 * M)).attention == "expected"


def test_step_1_a_young_namespace_is_provisioning() -> None:
    decision = _decide(failing(first=15 * M, age=15 * M))
    assert (decision.attention, decision.step) == ("provisioning", 1)


def test_step_2_one_investigation_per_namespace_in_4_hours() -> None:
    evaluation = failing(age=90 * M)
    runs(evaluation.lab_instance, 1, trigger=Trigger.MANUAL, ago=3 * 60 * M + 59 * M)
    decision = _decide(evaluation)
    assert (decision.step, decision.reason) == (
        2,
        "investigated 239 min ago (one per namespace in 4 h)",
    )
    other = failing(age=90 * M)
    runs(other.lab_instance, 1, trigger=Trigger.MANUAL, ago=4 * 60 * M + M)
    assert _decide(other).step is None


def test_step_3_three_automatic_investigations_per_catalog_item_per_hour() -> None:
    item = factories.lab()
    sibling = failing(item=item, age=90 * M).lab_instance
    runs(sibling, 2, ago=5 * 60 * M)  # older than the namespace window of their own lab…
    runs(factories.lab_instance(of=item), 2, ago=50 * M)
    runs(factories.lab_instance(of=item), 5, trigger=Trigger.MANUAL, ago=30 * M)  # not counted
    assert _decide(failing(item=item, age=90 * M)).step is None  # 2 in the hour
    runs(factories.lab_instance(of=item), 1, ago=20 * M)
    decision = _decide(failing(item=item, age=90 * M))
    assert decision.step == 3 and decision.reason.startswith("3 automatic investigations")


def test_step_4_daily_budgets_100_stuck_and_50_anomalous() -> None:
    spent = factories.lab_instance()
    runs(spent, 99, ago=10 * 60 * M)  # today (NOW is noon), another item
    runs(spent, 5, ago=13 * 60 * M)  # yesterday: not counted
    assert _decide(failing(age=90 * M)).step is None
    runs(spent, 1, ago=10 * 60 * M)
    stuck = _decide(failing(age=90 * M))
    assert (stuck.step, stuck.reason) == (4, "daily budget spent: 100 auto_stuck today")
    item = factories.lab()
    evaluations(item, total=60, fails=0)
    runs(spent, 49, trigger=Trigger.AUTO_ANOMALOUS, ago=10 * 60 * M)
    assert _decide(failing(item=item, age=5 * M)).step is None  # anomalous: 49 of 50
    runs(spent, 1, trigger=Trigger.AUTO_ANOMALOUS, ago=10 * 60 * M)
    assert _decide(failing(item=item, age=5 * M)).step == 4


def test_step_4_at_most_150_automatic_investigations_a_day(monkeypatch: Any) -> None:
    monkeypatch.setitem(attention.DAILY_BUDGETS, Trigger.AUTO_STUCK, 1000)
    runs(factories.lab_instance(), 150, ago=10 * 60 * M)
    decision = _decide(failing(age=90 * M))
    assert (decision.step, decision.reason) == (
        4,
        "daily budget spent: 150 automatic investigations today",
    )


def test_step_5_a_watch_and_wait_profile_that_mostly_resolves_itself() -> None:
    item = factories.lab()
    old = timedelta(days=30)  # in the profile, not in the 7-day P95
    resolutions(item, [5.0] * 6, cause=Cause.SELF_RESOLVED, resolved_ago=old)
    resolutions(item, [5.0] * 4, cause=Cause.HUMAN_REMEDIATED, resolved_ago=old)
    decision = _decide(failing(item=item, age=90 * M))
    assert (decision.step, decision.reason) == (
        5,
        "resolution profile: watch and wait, 60% resolve by themselves",
    )


def test_step_5_watch_and_wait_by_recycling_alone_does_not_skip() -> None:
    item = factories.lab()
    old = timedelta(days=30)
    resolutions(item, [5.0] * 8, cause=Cause.NAMESPACE_RECYCLED, resolved_ago=old)
    resolutions(item, [5.0] * 2, cause=Cause.SELF_RESOLVED, resolved_ago=old)  # 20 %
    assert _decide(failing(item=item, age=90 * M)).step is None
    few = factories.lab()  # fewer than 10 failures: no recommendation
    resolutions(few, [5.0] * 9, cause=Cause.SELF_RESOLVED, resolved_ago=old)
    assert _decide(failing(item=few, age=90 * M)).step is None


def test_step_6_three_transient_of_the_last_five_unless_no_pass_for_4_hours() -> None:
    item = factories.lab()
    done = factories.lab_instance(of=item)
    runs(done, 2, verdict="ACTIONABLE", ago=6 * 60 * M)
    runs(done, 3, verdict="TRANSIENT", ago=8 * 60 * M)
    evaluation = failing(item=item, age=90 * M)
    StateChange.objects.create(
        lab_instance=evaluation.lab_instance,
        rubric_id="",
        from_status=Status.READY,
        to_status=Status.FAILED,
        at=NOW - 3 * 60 * M,
    )
    decision = _decide(evaluation)
    assert decision.step == 6
    assert decision.reason.startswith("3 of the last 5 investigations of this class")
    never = failing(item=item, age=90 * M, first=5 * 60 * M)  # left READY 5 h ago
    StateChange.objects.create(
        lab_instance=never.lab_instance,
        rubric_id="",
        from_status=Status.READY,
        to_status=Status.FAILED,
        at=NOW - 5 * 60 * M,
    )
    assert _decide(never).step is None


def test_step_6_two_transient_of_five_pass() -> None:
    item = factories.lab()
    done = factories.lab_instance(of=item)
    runs(done, 3, verdict="ACTIONABLE", ago=6 * 60 * M)
    runs(done, 2, verdict="TRANSIENT", ago=5 * 60 * M)
    runs(done, 5, verdict="TRANSIENT", ago=20 * 60 * M)  # older than the last five
    assert _decide(failing(item=item, age=90 * M)).step is None
