from __future__ import annotations

from datetime import datetime, timedelta

from rubrics_app.selectors import (
    lab_instance_evaluations,
    lab_instance_timeline,
    state_changes_latest,
)
from rubrics_app.services import lab_instance_evaluate

from .builders import T0, deployment, evidence, pod

NOW = datetime.fromisoformat(T0)


def test_it_lists_the_latest_lab_level_changes_newest_first(lab_instance):
    crashing = evidence(
        deployments=[deployment(available=0)], pods=[pod("web-1", waiting="CrashLoopBackOff")]
    )
    healthy = evidence(deployments=[deployment()], pods=[pod("web-1")])
    lab_instance_evaluate(lab_instance=lab_instance, evidence=crashing, now=NOW)
    lab_instance_evaluate(lab_instance=lab_instance, evidence=healthy, now=NOW + timedelta(hours=1))
    latest = list(state_changes_latest(lab_level_only=True))
    assert [(c.from_status, c.to_status) for c in latest] == [
        ("failed", "ready"),
        ("unknown", "failed"),
    ]
    timeline = list(lab_instance_timeline(lab_instance=lab_instance))
    assert timeline[0].at == NOW + timedelta(hours=1)
    assert len(timeline) > len(latest)
    assert [e.rubric_id for e in lab_instance_evaluations(lab_instance=lab_instance)] == [
        "deployment-ready",
        "namespace-ready",
        "run-created",
    ]
