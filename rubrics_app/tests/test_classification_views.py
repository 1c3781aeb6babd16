"""The review page: who may see and decide, team scoping through `lab_instances_for`, the
decisions over HTTP, the live topic."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from rubrics_app.classification.broadcast import proposal_fragments
from rubrics_app.classification.candidates import candidates_classify
from rubrics_app.models import ClassificationProposal, Evaluation

from .classification_fixtures import reviewer, scan, unexplained


def _proposal(lab: Any) -> ClassificationProposal:
    scan(lab, unexplained())
    assert candidates_classify(log_tail=lambda *_: {}) == 1
    return ClassificationProposal.objects.get()


@pytest.mark.smoke
def test_only_a_reviewer_sees_or_decides(lab_instance: Any, llm: Any) -> None:
    proposal = _proposal(lab_instance)
    client = Client()
    client.force_login(User.objects.create_user("viewer", password="pw-for-tests-1"))
    assert client.get("/rubrics/proposals/").status_code == 403
    url = f"/rubrics/proposals/{proposal.pk}/review/"
    assert client.post(url, {"decision": "accept", "reason": "x"}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


@pytest.mark.smoke
def test_a_reviewer_accepts_corrects_or_rejects_over_http(lab_instance: Any, llm: Any) -> None:
    proposal = _proposal(lab_instance)
    client = Client()
    client.force_login(reviewer())
    page = client.get("/rubrics/proposals/")
    assert page.status_code == 200
    html = page.content.decode()
    assert proposal.proposed_class in html and "KeyringLocked" in html and "$" in html
    url = f"/rubrics/proposals/{proposal.pk}/review/"
    missing = client.post(url, {"decision": "accept", "reason": ""}, HTTP_HX_REQUEST="true")
    assert missing.status_code == 409
    done = client.post(
        url,
        {"decision": "correct", "class": "config-error", "reason": "config"},
        HTTP_HX_REQUEST="true",
    )
    assert done.status_code == 200 and "Make it a rule" in done.content.decode()
    verdict = Evaluation.objects.get(lab_instance=lab_instance, rubric_id="deployment-ready")
    assert (verdict.failure_class, verdict.class_source) == ("config-error", "human")
    conflict = client.post(url, {"decision": "reject", "reason": "no"}, HTTP_HX_REQUEST="true")
    assert conflict.status_code == 409


@pytest.mark.smoke
def test_the_list_is_scoped_to_the_labs_the_user_may_see(
    lab_instance: Any, llm: Any, monkeypatch: Any
) -> None:
    from labs.models import LabInstance

    proposal = _proposal(lab_instance)
    monkeypatch.setattr(
        "rubrics_app.views.lab_instances_for", lambda user: LabInstance.objects.none()
    )
    client = Client()
    client.force_login(reviewer())
    assert proposal.proposed_class not in client.get("/rubrics/proposals/").content.decode()
    url = f"/rubrics/proposals/{proposal.pk}/review/"
    assert client.post(url, {"decision": "accept", "reason": "x"}).status_code == 404


def test_the_live_topic_sends_a_refresh_and_each_page_fetches_its_own_rows(
    lab_instance: Any, llm: Any, monkeypatch: Any
) -> None:
    from labs.models import LabInstance

    proposal = _proposal(lab_instance)
    [(group, html)] = proposal_fragments([proposal.pk])
    assert group == "proposals" and 'id="proposal-refresh" hx-swap-oob="true"' in html
    assert str(lab_instance) not in html and proposal.proposed_class not in html  # no data
    client = Client()
    client.force_login(reviewer())
    rows = client.get("/rubrics/proposals/?part=rows").content.decode()
    assert 'id="proposal-rows" hx-swap-oob="true"' in rows and f"proposal-{proposal.pk}" in rows
    monkeypatch.setattr(
        "rubrics_app.views.lab_instances_for", lambda user: LabInstance.objects.none()
    )
    assert (
        f"proposal-{proposal.pk}"
        not in client.get("/rubrics/proposals/?part=rows").content.decode()
    )
