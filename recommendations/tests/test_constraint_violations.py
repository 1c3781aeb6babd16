"""AgnosticV constraint violations on the recommendations (spec 23.4) and the Provisioning page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from collectors.models import ConstraintViolation
from recommendations.models import Recommendation
from recommendations.services import recommendations_refresh

from .conftest import Demo

pytestmark = pytest.mark.django_db


def _violation(demo: Demo, lab: Any, code: str, kind: str, severity: str) -> None:
    ConstraintViolation.objects.create(
        lab=lab,
        lab_code=code,
        violation_type=kind,
        subject="gitops" if kind == "operator_version_drift" else "showroom",
        expected="gitops-1.15",
        actual="gitops-1.13",
        severity=severity,
        correlated_stage="deployment-ready",
        correlated_failure_class="deployment-unavailable",
        detected_at=demo.now,
        last_seen=demo.now,
    )


def test_recommendations_carry_their_lab_violations(demo: Demo) -> None:
    _violation(demo, demo.lab, "LB1208", "operator_version_drift", "warning")
    _violation(demo, demo.lab, "LB1208", "showroom_wrong_content", "critical")
    _violation(demo, demo.other, "LB2000", "operator_version_drift", "warning")
    recommendations_refresh(now=demo.now, live_cleanup=False)
    mine = Recommendation.objects.filter(lab=demo.lab)  # its pool's, here
    assert mine.exists()
    for row in mine:
        kinds = [v["violation_type"] for v in row.constraint_violations]
        assert kinds == ["showroom_wrong_content", "operator_version_drift"]  # critical first
        drift = row.constraint_violations[1]
        assert drift["correlated_rubric_stage"] == "deployment-ready"
        assert drift["correlated_failure_class"] == "deployment-unavailable"
    assert not Recommendation.objects.exclude(lab=demo.lab).exclude(constraint_violations=[])

    # a violation that cleared leaves the recommendation at the next refresh
    ConstraintViolation.objects.filter(lab=demo.lab).delete()
    recommendations_refresh(now=demo.now, live_cleanup=False)
    assert all(r.constraint_violations == [] for r in mine.filter(status="open"))


def test_the_provisioning_page_lists_the_violations_of_its_lab_only(
    demo: Demo, client: Client, member: Any, django_assert_max_num_queries: Any
) -> None:
    _violation(demo, demo.lab, "LB1208", "operator_version_drift", "warning")
    _violation(demo, demo.other, "LB2000", "showroom_wrong_content", "critical")
    client.force_login(member)
    with django_assert_max_num_queries(12):
        response = client.get("/recommendations/provisioning/LB1208/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-violation="operator_version_drift"' in html and "gitops-1.13" in html
    assert "showroom_wrong_content" not in html  # another team's lab
    assert client.get("/recommendations/provisioning/LB2000/").status_code == 404
